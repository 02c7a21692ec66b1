using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Aiops.Analyzers;

/// <summary>
/// AIOPS001: the metric name and label names given to prometheus-net's <c>Metrics.Create*</c> (and any
/// <c>IMetricFactory</c>/<c>MetricFactory</c>) calls follow the Prometheus naming conventions. Only constant names are
/// checked; the fix (snake_case, adding or removing <c>_total</c>) is offered when the name is a string literal.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PrometheusNamingAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property holding the fixed name.</summary>
    public const string FixedNameProperty = "FixedName";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.AIOPS001_PrometheusNaming);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(AnalyzeInvocation, OperationKind.Invocation);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.ContainingNamespace?.Name != "Prometheus" || method.ContainingNamespace.ContainingNamespace?.IsGlobalNamespace != true)
        {
            return;
        }

        MetricKind kind;
        switch (method.Name)
        {
            case "CreateCounter": kind = MetricKind.Counter; break;
            case "CreateGauge": kind = MetricKind.Gauge; break;
            case "CreateHistogram": kind = MetricKind.Histogram; break;
            case "CreateSummary": kind = MetricKind.Summary; break;
            default: return;
        }

        foreach (var argument in invocation.Arguments)
        {
            switch (argument.Parameter?.Name)
            {
                case "name":
                    CheckMetricName(context, argument.Value, kind);
                    break;
                case "labelNames":
                    CheckLabels(context, argument.Value, kind);
                    break;
                case "configuration":
                    if (Unwrap(argument.Value) is IObjectCreationOperation { Initializer: { } initializer })
                    {
                        foreach (var member in initializer.Initializers)
                        {
                            if (member is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "LabelNames" } } assignment)
                            {
                                CheckLabels(context, assignment.Value, kind);
                            }
                        }
                    }

                    break;
            }
        }
    }

    private static void CheckMetricName(OperationAnalysisContext context, IOperation value, MetricKind kind)
    {
        if (value.ConstantValue is not { HasValue: true, Value: string name })
        {
            return;
        }

        var problems = PrometheusNames.CheckMetricName(name, kind, out var fixedName);
        if (problems.Count == 0)
        {
            return;
        }

        var reason = string.Join("; ", problems);
        if (fixedName is not null)
        {
            reason += $" (use '{fixedName}')";
        }

        Report(context, value, name, reason, fixedName);
    }

    private static void CheckLabels(OperationAnalysisContext context, IOperation value, MetricKind kind)
    {
        if (Unwrap(value) is not IArrayCreationOperation { Initializer: { } initializer })
        {
            return;
        }

        foreach (var element in initializer.ElementValues)
        {
            if (element.ConstantValue is not { HasValue: true, Value: string label })
            {
                continue;
            }

            var problems = PrometheusNames.CheckLabelName(label, kind, out var fixedName);
            if (problems.Count > 0)
            {
                var reason = "label: " + string.Join("; ", problems);
                if (fixedName is not null)
                {
                    reason += $" (use '{fixedName}')";
                }

                Report(context, element, label, reason, fixedName);
            }
        }
    }

    private static void Report(OperationAnalysisContext context, IOperation value, string name, string reason, string? fixedName)
    {
        var properties = ImmutableDictionary<string, string?>.Empty;
        if (fixedName is not null && value.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax)
        {
            properties = properties.Add(FixedNameProperty, fixedName);
        }

        context.ReportDiagnostic(Diagnostic.Create(Descriptors.AIOPS001_PrometheusNaming, value.Syntax.GetLocation(), properties, name, reason));
    }

    private static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }
}
