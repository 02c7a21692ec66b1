using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Aiops.Analyzers;

/// <summary>
/// AIOPS004: <c>DateTime.Now/UtcNow/Today</c>, <c>DateTimeOffset.Now/UtcNow</c> and <c>Task.Delay</c> without a
/// <see cref="System.TimeProvider"/> anywhere inside a detector (an <c>Aiops.Detection.IAnomalyDetector</c>
/// implementation, so every <c>AnomalyDetector</c> subclass) or a gate (<c>Aiops.Gates.IGatePolicy</c>). When a
/// <c>TimeProvider</c> parameter, field or property is in scope, the diagnostic carries the replacement the code fix uses
/// (<c>DateTime.UtcNow</c> → <c>_time.GetUtcNow().UtcDateTime</c>, <c>DateTimeOffset.UtcNow</c> → <c>_time.GetUtcNow()</c>,
/// <c>Task.Delay(delay, ct)</c> → <c>Task.Delay(delay, _time, ct)</c>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class StaticClockAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property holding the replacement expression, when a TimeProvider is in scope.</summary>
    public const string ReplacementProperty = "Replacement";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.AIOPS004_StaticClock);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var types = KnownTypes.Create(start.Compilation);
            if (types.TimeProvider is null || (types.AnomalyDetector is null && types.GatePolicy is null))
            {
                return;
            }

            start.RegisterOperationBlockStartAction(block =>
            {
                var type = block.OwningSymbol.ContainingType;
                string kind;
                if (KnownTypes.Implements(type, types.AnomalyDetector))
                {
                    kind = "detector";
                }
                else if (KnownTypes.Implements(type, types.GatePolicy))
                {
                    kind = "gate";
                }
                else
                {
                    return;
                }

                var scope = new Scope(block.OwningSymbol, type, kind, FindTimeProvider(block.OwningSymbol, type, types.TimeProvider));
                block.RegisterOperationAction(c => AnalyzeClock(c, scope), OperationKind.PropertyReference);
                block.RegisterOperationAction(c => AnalyzeDelay(c, scope, types), OperationKind.Invocation);
            });
        });
    }

    private static void AnalyzeClock(OperationAnalysisContext context, Scope scope)
    {
        var property = ((IPropertyReferenceOperation)context.Operation).Property;
        if (!property.IsStatic)
        {
            return;
        }

        var owner = property.ContainingType.ToDisplayString();
        string? replacement = (owner, property.Name) switch
        {
            ("System.DateTime", "UtcNow") => "GetUtcNow().UtcDateTime",
            ("System.DateTime", "Now") => "GetLocalNow().DateTime",
            ("System.DateTime", "Today") => "GetLocalNow().Date",
            ("System.DateTimeOffset", "UtcNow") => "GetUtcNow()",
            ("System.DateTimeOffset", "Now") => "GetLocalNow()",
            _ => null,
        };
        if (replacement is null)
        {
            return;
        }

        var shortOwner = property.ContainingType.Name;
        Report(context, scope, $"{shortOwner}.{property.Name}", scope.TimeProvider is null ? null : $"{scope.TimeProvider}.{replacement}");
    }

    private static void AnalyzeDelay(OperationAnalysisContext context, Scope scope, KnownTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.Name != "Delay" || !SymbolEqualityComparer.Default.Equals(method.ContainingType, types.Task)
            || method.Parameters.Any(p => SymbolEqualityComparer.Default.Equals(p.Type, types.TimeProvider)))
        {
            return;
        }

        string? replacement = null;
        if (scope.TimeProvider is not null && invocation.Syntax is InvocationExpressionSyntax syntax
            && method.Parameters.Length > 0 && method.Parameters[0].Type.ToDisplayString() == "System.TimeSpan"
            && syntax.ArgumentList.Arguments.All(a => a.NameColon is null))
        {
            var arguments = syntax.ArgumentList.Arguments.Select(a => a.ToString()).ToList();
            arguments.Insert(1, scope.TimeProvider);
            replacement = $"{syntax.Expression}({string.Join(", ", arguments)})";
        }

        Report(context, scope, "Task.Delay", replacement);
    }

    private static void Report(OperationAnalysisContext context, Scope scope, string clock, string? replacement)
    {
        string advice;
        if (replacement is not null)
        {
            advice = $"'{replacement}'";
        }
        else if (scope.Kind == "gate")
        {
            advice = "GateContext.Now or an injected TimeProvider";
        }
        else
        {
            advice = "the point's timestamp or an injected TimeProvider";
        }

        var properties = replacement is null
            ? ImmutableDictionary<string, string?>.Empty
            : ImmutableDictionary<string, string?>.Empty.Add(ReplacementProperty, replacement);
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.AIOPS004_StaticClock, context.Operation.Syntax.GetLocation(), properties, clock, scope.Kind, scope.Type.Name, advice));
    }

    /// <summary>A TimeProvider parameter of the member, or a field or property of the type (or a base type), usable from it.</summary>
    private static string? FindTimeProvider(ISymbol owner, INamedTypeSymbol type, INamedTypeSymbol timeProvider)
    {
        if (owner is IMethodSymbol method)
        {
            foreach (var parameter in method.Parameters)
            {
                if (SymbolEqualityComparer.Default.Equals(parameter.Type, timeProvider))
                {
                    return parameter.Name;
                }
            }
        }

        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                var memberType = member switch
                {
                    IFieldSymbol field when !field.IsImplicitlyDeclared => field.Type,
                    IPropertySymbol property => property.Type,
                    _ => null,
                };
                if (memberType is null || !SymbolEqualityComparer.Default.Equals(memberType, timeProvider)
                    || (owner.IsStatic && !member.IsStatic)
                    || (member.DeclaredAccessibility == Accessibility.Private && !SymbolEqualityComparer.Default.Equals(current, type)))
                {
                    continue;
                }

                return member.Name;
            }
        }

        return null;
    }

    private sealed class Scope
    {
        internal Scope(ISymbol owner, INamedTypeSymbol type, string kind, string? timeProvider)
        {
            Owner = owner;
            Type = type;
            Kind = kind;
            TimeProvider = timeProvider;
        }

        internal ISymbol Owner { get; }

        internal INamedTypeSymbol Type { get; }

        internal string Kind { get; }

        internal string? TimeProvider { get; }
    }
}
