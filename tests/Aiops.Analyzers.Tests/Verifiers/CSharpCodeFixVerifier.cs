using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Aiops.Analyzers.Tests.Verifiers;

/// <summary>Runs an analyzer and its code fix over a snippet: the diagnostics, then the fixed source.</summary>
/// <typeparam name="TAnalyzer">The analyzer.</typeparam>
/// <typeparam name="TCodeFix">The code fix.</typeparam>
public static class CSharpCodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    /// <summary>An expected diagnostic of the analyzer's only rule.</summary>
    /// <returns>The expected diagnostic.</returns>
    public static DiagnosticResult Diagnostic() => CSharpCodeFixVerifier<TAnalyzer, TCodeFix, DefaultVerifier>.Diagnostic();

    /// <summary>Verifies the diagnostics and that applying every fix gives <paramref name="fixedSource"/> (the source itself when there is no fix).</summary>
    /// <param name="source">The snippet.</param>
    /// <param name="fixedSource">The expected source after the fixes.</param>
    /// <param name="expected">The expected diagnostics.</param>
    /// <returns>A task.</returns>
    public static Task VerifyCodeFixAsync(string source, string fixedSource, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source, FixedCode = fixedSource };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>The test, with the process's references.</summary>
    public sealed class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        /// <summary>Initializes a new instance of the <see cref="Test"/> class.</summary>
        public Test()
        {
            ReferenceAssemblies = TestReferences.None;
            TestState.AdditionalReferences.AddRange(TestReferences.All);
        }
    }
}
