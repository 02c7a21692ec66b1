using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Aiops.Analyzers;

/// <summary>
/// AIOPS003: inside a gate policy's <c>EvaluateAsync</c> (an <c>Aiops.Gates.IGatePolicy</c> implementation, lambdas and local
/// functions included): a <c>throw</c> of anything but an <see cref="System.OperationCanceledException"/> (a rethrow,
/// <c>throw;</c>, and guard helpers such as <c>ArgumentNullException.ThrowIfNull</c> are allowed), and blocking waits:
/// <c>.Result</c>, <c>.Wait()</c>, <c>Task.WaitAll/WaitAny</c>, <c>.GetAwaiter().GetResult()</c>, <c>Thread.Sleep</c>.
/// No code fix: turning a throw into a deny needs a reason, and removing a block needs an async method.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class GatePolicyAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.AIOPS003_GateThrowsOrBlocks);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var types = KnownTypes.Create(start.Compilation);
            if (types.GatePolicy?.GetMembers("EvaluateAsync").FirstOrDefault() is not IMethodSymbol evaluate)
            {
                return;
            }

            start.RegisterOperationBlockStartAction(block =>
            {
                if (block.OwningSymbol is not IMethodSymbol method || !IsEvaluate(method, evaluate))
                {
                    return;
                }

                var gate = method.ContainingType.Name;
                block.RegisterOperationAction(c => AnalyzeThrow(c, types, gate), OperationKind.Throw);
                block.RegisterOperationAction(c => AnalyzeResult(c, types, gate), OperationKind.PropertyReference);
                block.RegisterOperationAction(c => AnalyzeWait(c, types, gate), OperationKind.Invocation);
            });
        });
    }

    private static bool IsEvaluate(IMethodSymbol method, IMethodSymbol evaluate)
    {
        var type = method.ContainingType;
        if (type is null || !KnownTypes.Implements(type, evaluate.ContainingType))
        {
            return false;
        }

        var implementation = type.FindImplementationForInterfaceMember(evaluate);
        for (IMethodSymbol? current = method; current is not null; current = current.OverriddenMethod)
        {
            if (SymbolEqualityComparer.Default.Equals(current, implementation))
            {
                return true;
            }
        }

        return false;
    }

    private static void AnalyzeThrow(OperationAnalysisContext context, KnownTypes types, string gate)
    {
        var thrown = ((IThrowOperation)context.Operation).Exception;
        while (thrown is IConversionOperation { IsImplicit: true } conversion)
        {
            thrown = conversion.Operand;
        }

        if (thrown is null || KnownTypes.DerivesFrom(thrown.Type, types.OperationCanceledException))
        {
            return;
        }

        var what = thrown.Type?.Name ?? "an exception";
        Report(context, gate, $"throws {what} from EvaluateAsync; return GateDecision.Deny(reason) instead (a thrown exception is a deny without the gate's reason)");
    }

    private static void AnalyzeResult(OperationAnalysisContext context, KnownTypes types, string gate)
    {
        var reference = (IPropertyReferenceOperation)context.Operation;
        if (reference.Property.Name == "Result" && IsTaskType(reference.Property.ContainingType, types))
        {
            Report(context, gate, "blocks on '.Result' inside EvaluateAsync; await the task instead");
        }
    }

    private static void AnalyzeWait(OperationAnalysisContext context, KnownTypes types, string gate)
    {
        var method = ((IInvocationOperation)context.Operation).TargetMethod;
        string? blocking = null;
        if (method.Name is "Wait" or "WaitAll" or "WaitAny" && IsTaskType(method.ContainingType, types))
        {
            blocking = method.IsStatic ? $"Task.{method.Name}(...)" : ".Wait()";
        }
        else if (method.Name == "GetResult" && method.ContainingType.Name.EndsWith("Awaiter", System.StringComparison.Ordinal)
            && method.ContainingNamespace?.ToDisplayString() == "System.Runtime.CompilerServices")
        {
            blocking = ".GetAwaiter().GetResult()";
        }
        else if (method.Name == "Sleep" && method.ContainingType.ToDisplayString() == "System.Threading.Thread")
        {
            blocking = "Thread.Sleep(...)";
        }

        if (blocking is not null)
        {
            Report(context, gate, $"blocks on '{blocking}' inside EvaluateAsync; await instead (Task.Delay with the context's TimeProvider, or the awaited call)");
        }
    }

    private static bool IsTaskType(INamedTypeSymbol? type, KnownTypes types)
    {
        var definition = type?.OriginalDefinition;
        return SymbolEqualityComparer.Default.Equals(definition, types.Task)
            || SymbolEqualityComparer.Default.Equals(definition, types.TaskOfT)
            || SymbolEqualityComparer.Default.Equals(definition, types.ValueTask)
            || SymbolEqualityComparer.Default.Equals(definition, types.ValueTaskOfT);
    }

    private static void Report(OperationAnalysisContext context, string gate, string what) =>
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.AIOPS003_GateThrowsOrBlocks, context.Operation.Syntax.GetLocation(), gate, what));
}
