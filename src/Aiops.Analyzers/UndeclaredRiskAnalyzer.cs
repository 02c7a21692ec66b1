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
/// <item>a concrete (non-abstract) class implementing <c>IRemediationAction</c> whose <c>Risk</c>, its own or inherited, is
/// an auto-property never given a value (not <c>required</c>, no initializer, no assignment in the class or any of its base
/// classes), or whose getter returns <c>default</c>. An abstract class is never reported itself: the types deriving from it
/// are, each with its whole chain of classes.</item>
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
        // Only concrete classes: what an abstract base leaves open, its derived types' constructors may set, so each concrete
        // action is judged with the syntax of its whole chain (itself and every base class in source).
        var type = (INamedTypeSymbol)context.Symbol;
        if (type.TypeKind != TypeKind.Class || type.IsAbstract || !KnownTypes.Implements(type, types.RemediationAction))
        {
            return;
        }

        var riskMember = types.RemediationAction!.GetMembers("Risk").FirstOrDefault();
        if (riskMember is null || type.FindImplementationForInterfaceMember(riskMember) is not IPropertySymbol risk
            || risk.IsAbstract || risk.IsRequired)
        {
            // `required`: every creation sets it (CS9035 otherwise), so the creator declares the risk.
            return;
        }

        var declaredHere = SymbolEqualityComparer.Default.Equals(risk.ContainingType, type);
        foreach (var reference in risk.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(context.CancellationToken) is not PropertyDeclarationSyntax property)
            {
                continue;
            }

            string? reason = null;
            if (IsDefault(property.ExpressionBody?.Expression) || property.AccessorList?.Accessors.Any(a => a.IsKind(SyntaxKind.GetAccessorDeclaration) && IsDefault(a.ExpressionBody?.Expression)) == true)
            {
                reason = declaredHere
                    ? "'Risk' returns default (Low); return the class this action really has"
                    : $"the inherited '{risk.ContainingType.Name}.Risk' returns default (Low); return the class this action really has";
            }
            else if (property.ExpressionBody is null && property.Initializer is null
                && property.AccessorList?.Accessors.All(a => a.Body is null && a.ExpressionBody is null) == true
                && !IsAssignedInTypeOrBases(type, risk.Name, context.CancellationToken))
            {
                reason = declaredHere
                    ? "'Risk' is never given a value, so it is always Low; initialise it or set it in the constructor"
                    : $"the inherited '{risk.ContainingType.Name}.Risk' is never given a value, so it is always Low; set it in the constructor";
            }

            if (reason is not null)
            {
                // On the property when it is the type's own, else on the type (the base may be shared by types that do set it).
                var location = declaredHere ? property.Identifier.GetLocation() : type.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.AIOPS002_UndeclaredRisk, location, type.Name, reason));
                return;
            }
        }
    }

    private static bool IsDefault(ExpressionSyntax? expression) =>
        expression is not null && (expression.IsKind(SyntaxKind.DefaultLiteralExpression) || expression.IsKind(SyntaxKind.DefaultExpression));

    /// <summary>Whether an assignment to <paramref name="name"/> appears in the type's or a base class's source (constructors, initializers, methods).</summary>
    private static bool IsAssignedInTypeOrBases(INamedTypeSymbol type, string name, System.Threading.CancellationToken cancellationToken)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (IsAssignedInType(current, name, cancellationToken))
            {
                return true;
            }
        }

        return false;
    }

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
