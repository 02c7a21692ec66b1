using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Aiops.Analyzers;

/// <summary>
/// AIOPS002: a remediation action is registered without a declared risk class. Concretely:
/// <list type="bullet">
/// <item>an <c>IRemediationAction</c> is created (<c>new SimulatedAction("restart")</c>, typically inside
/// <c>AddAction(...)</c> or an <c>ActionRegistry</c>) with a constructor whose <c>RiskClass</c> parameter is left at its default;</item>
/// <item>a class implementing <c>IRemediationAction</c> whose <c>Risk</c> is an auto-property never given a value (no
/// initializer, no assignment in the class), or whose getter returns <c>default</c>.</item>
/// </list>
/// No code fix: which risk class an action has is a judgement, not a mechanical change.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UndeclaredRiskAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.AIOPS002_UndeclaredRisk);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var types = KnownTypes.Create(start.Compilation);
            if (types.RemediationAction is null || types.RiskClass is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeCreation(c, types), OperationKind.ObjectCreation);
            start.RegisterSymbolAction(c => AnalyzeType(c, types), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeCreation(OperationAnalysisContext context, KnownTypes types)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (creation.Constructor is null || !KnownTypes.Implements(creation.Type, types.RemediationAction))
        {
            return;
        }

        foreach (var argument in creation.Arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue
                && argument.Parameter is { } parameter
                && SymbolEqualityComparer.Default.Equals(parameter.Type, types.RiskClass))
            {
                var reason = $"'{parameter.Name}' is left at its default; pass it explicitly ({parameter.Name}: RiskClass.Low, .Medium, .High or .Destructive)";
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.AIOPS002_UndeclaredRisk, creation.Syntax.GetLocation(), creation.Type!.Name, reason));
                return;
            }
        }
    }

    private static void AnalyzeType(SymbolAnalysisContext context, KnownTypes types)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (type.TypeKind != TypeKind.Class || !KnownTypes.Implements(type, types.RemediationAction))
        {
            return;
        }

        var riskMember = types.RemediationAction!.GetMembers("Risk").FirstOrDefault();
        if (riskMember is null || type.FindImplementationForInterfaceMember(riskMember) is not IPropertySymbol risk
            || risk.IsAbstract || !SymbolEqualityComparer.Default.Equals(risk.ContainingType, type))
        {
            return;
        }

        foreach (var reference in risk.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(context.CancellationToken) is not PropertyDeclarationSyntax property)
            {
                continue;
            }

            string? reason = null;
            if (IsDefault(property.ExpressionBody?.Expression) || property.AccessorList?.Accessors.Any(a => a.IsKind(SyntaxKind.GetAccessorDeclaration) && IsDefault(a.ExpressionBody?.Expression)) == true)
            {
                reason = "'Risk' returns default (Low); return the class this action really has";
            }
            else if (property.ExpressionBody is null && property.Initializer is null
                && property.AccessorList?.Accessors.All(a => a.Body is null && a.ExpressionBody is null) == true
                && !IsAssignedInType(type, risk.Name, context.CancellationToken))
            {
                reason = "'Risk' is never given a value, so it is always Low; initialise it or set it in the constructor";
            }

            if (reason is not null)
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.AIOPS002_UndeclaredRisk, property.Identifier.GetLocation(), type.Name, reason));
            }
        }
    }

    private static bool IsDefault(ExpressionSyntax? expression) =>
        expression is not null && (expression.IsKind(SyntaxKind.DefaultLiteralExpression) || expression.IsKind(SyntaxKind.DefaultExpression));

    private static bool IsAssignedInType(INamedTypeSymbol type, string name, System.Threading.CancellationToken cancellationToken)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            foreach (var assignment in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<AssignmentExpressionSyntax>())
            {
                var target = assignment.Left is MemberAccessExpressionSyntax member ? member.Name : assignment.Left as SimpleNameSyntax;
                if (target?.Identifier.ValueText == name)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
