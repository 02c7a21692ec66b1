using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Aiops.Analyzers.Tests.Verifiers;

/// <summary>Runs one analyzer over a snippet and compares the diagnostics (markup <c>{|#0:...|}</c> marks locations).</summary>
/// <typeparam name="TAnalyzer">The analyzer.</typeparam>
public static class CSharpAnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>An expected diagnostic of the analyzer's only rule.</summary>
    /// <returns>The expected diagnostic.</returns>
    public static DiagnosticResult Diagnostic() => CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic();

    /// <summary>Verifies that the snippet yields exactly the expected diagnostics.</summary>
    /// <param name="source">The snippet.</param>
    /// <param name="expected">The expected diagnostics.</param>
    /// <returns>A task.</returns>
    public static Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>The test, with the process's references.</summary>
    public sealed class Test : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    {
        /// <summary>Initializes a new instance of the <see cref="Test"/> class.</summary>
        public Test()
        {
            ReferenceAssemblies = TestReferences.None;
            TestState.AdditionalReferences.AddRange(TestReferences.All);
        }
    }
}
