using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Aiops.Analyzers;

/// <summary>AIOPS004 fix: reads the time from the <c>TimeProvider</c> in scope (offered only when there is one).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(StaticClockCodeFix))]
[Shared]
public sealed class StaticClockCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.AIOPS004_StaticClock.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(StaticClockAnalyzer.ReplacementProperty, out var replacement) || replacement is null
                || root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax expression)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Use '{replacement}'",
                    _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(expression, SyntaxFactory.ParseExpression(replacement).WithTriviaFrom(expression)))),
                    equivalenceKey: "AIOPS004_UseTimeProvider"),
                diagnostic);
        }
    }
}
