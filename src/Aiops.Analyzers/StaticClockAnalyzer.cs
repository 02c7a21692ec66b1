using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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
/// <c>Task.Delay(delay, ct)</c> → <c>Task.Delay(delay, _time, ct)</c>). The replacement is only offered where it compiles:
/// never in a field or property initializer, an instance member only where <c>this</c> is available (not in a static
/// member, a constructor initializer, a static local function or lambda, nor a lambda or local function of a struct),
/// and a parameter only where it can be captured (not in a static local function or lambda). <c>nameof(DateTime.UtcNow)</c>
/// reads no clock and is not reported.
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

                var scope = new Scope(block.OwningSymbol, type, kind, types.TimeProvider);
                block.RegisterOperationAction(c => AnalyzeClock(c, scope), OperationKind.PropertyReference);
                block.RegisterOperationAction(c => AnalyzeDelay(c, scope, types), OperationKind.Invocation);
            });
        });
    }

    private static void AnalyzeClock(OperationAnalysisContext context, Scope scope)
    {
        var property = ((IPropertyReferenceOperation)context.Operation).Property;
        if (!property.IsStatic || IsInNameOf(context.Operation))
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
        var timeProvider = FindTimeProvider(scope, context.Operation.Syntax);
        Report(context, scope, $"{shortOwner}.{property.Name}", timeProvider is null ? null : $"{timeProvider}.{replacement}");
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
        if (invocation.Syntax is InvocationExpressionSyntax syntax
            && method.Parameters.Length > 0 && method.Parameters[0].Type.ToDisplayString() == "System.TimeSpan"
            && syntax.ArgumentList.Arguments.All(a => a.NameColon is null)
            && FindTimeProvider(scope, syntax) is { } timeProvider)
        {
            var arguments = syntax.ArgumentList.Arguments.Select(a => a.ToString()).ToList();
            arguments.Insert(1, timeProvider);
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

    /// <summary>Whether the operation is (inside) the argument of a <c>nameof</c>, which reads nothing.</summary>
    private static bool IsInNameOf(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is INameOfOperation)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A TimeProvider parameter of the member, or a field or property of the type (or a base type), that the code at
    /// <paramref name="node"/> can reference; <see langword="null"/> when there is none, or in a field or property
    /// initializer (where the replacement would not compile, or would read a field not yet initialised).
    /// </summary>
    private static string? FindTimeProvider(Scope scope, SyntaxNode node)
    {
        if (scope.Owner is not IMethodSymbol method)
        {
            return null;
        }

        var instance = !method.IsStatic;
        var parameters = true;
        for (var current = node.Parent; current is not null && current is not MemberDeclarationSyntax; current = current.Parent)
        {
            switch (current)
            {
                case LocalFunctionStatementSyntax function when function.Modifiers.Any(SyntaxKind.StaticKeyword):
                case AnonymousFunctionExpressionSyntax lambda when lambda.Modifiers.Any(SyntaxKind.StaticKeyword):
                    // CS8421/CS8422/CS8820: a static local function or lambda captures neither `this` nor a parameter.
                    instance = false;
                    parameters = false;
                    break;
                case LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax when scope.Type.IsValueType:
                    // CS1673: a lambda or local function of a struct cannot use `this`.
                    instance = false;
                    break;
                case ConstructorInitializerSyntax or PrimaryConstructorBaseTypeSyntax:
                    // `: base(...)`, `: this(...)`: the instance does not exist yet (CS0120/CS0027); parameters are fine.
                    instance = false;
                    break;
            }
        }

        if (parameters)
        {
            foreach (var parameter in method.Parameters)
            {
                if (SymbolEqualityComparer.Default.Equals(parameter.Type, scope.TimeProvider))
                {
                    return parameter.Name;
                }
            }
        }

        for (var current = scope.Type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                var memberType = member switch
                {
                    IFieldSymbol field when !field.IsImplicitlyDeclared => field.Type,
                    IPropertySymbol property => property.Type,
                    _ => null,
                };
                if (memberType is null || !SymbolEqualityComparer.Default.Equals(memberType, scope.TimeProvider)
                    || (!instance && !member.IsStatic)
                    || (member.DeclaredAccessibility == Accessibility.Private && !SymbolEqualityComparer.Default.Equals(current, scope.Type)))
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
        internal Scope(ISymbol owner, INamedTypeSymbol type, string kind, INamedTypeSymbol timeProvider)
        {
            Owner = owner;
            Type = type;
            Kind = kind;
            TimeProvider = timeProvider;
        }

        internal ISymbol Owner { get; }

        internal INamedTypeSymbol Type { get; }

        internal string Kind { get; }

        internal INamedTypeSymbol TimeProvider { get; }
    }
}
