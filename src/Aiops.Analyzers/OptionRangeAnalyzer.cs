using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Aiops.Analyzers;

/// <summary>
/// AIOPS005: a compile-time constant assigned to a property carrying
/// <see cref="System.ComponentModel.DataAnnotations.RangeAttribute"/> lies outside that range, inside Aiops configuration:
/// a lambda (at any depth, object initializers included) passed to a method of an Aiops assembly (<c>AddAiops</c>,
/// <c>AddMeterSource</c>, <c>AddPrometheusSource</c>, <c>ConfigureRemediation</c>, ...) or to
/// <c>Configure&lt;TOptions&gt;</c>/<c>PostConfigure&lt;TOptions&gt;</c> of an Aiops options type. The bounds are read from the
/// attribute (numbers, or strings parsed as the attribute's type, such as <see cref="TimeSpan"/>); constants are numeric
/// literals and constant expressions, <c>TimeSpan.Zero</c>/<c>MinValue</c>/<c>MaxValue</c>, <c>TimeSpan.From*(constant)</c>
/// and <c>new TimeSpan(constants)</c>. No code fix: the right value is the author's choice.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OptionRangeAnalyzer : DiagnosticAnalyzer
{
    private const long TicksPerMicrosecond = 10;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.AIOPS005_OptionOutOfRange);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(AnalyzeAssignment, OperationKind.SimpleAssignment);
    }

    private static void AnalyzeAssignment(OperationAnalysisContext context)
    {
        var assignment = (ISimpleAssignmentOperation)context.Operation;
        if (assignment.Target is not IPropertyReferenceOperation { Property: var property })
        {
            return;
        }

        var range = property.GetAttributes().FirstOrDefault(a =>
            a.AttributeClass?.Name == "RangeAttribute" && a.AttributeClass.ContainingNamespace?.ToDisplayString() == "System.ComponentModel.DataAnnotations");
        if (range is null || !InAiopsConfiguration(assignment))
        {
            return;
        }

        if (!TryReadRange(range, out var min, out var max, out var isTimeSpan, out var minText, out var maxText)
            || !TryEvaluate(assignment.Value, isTimeSpan, out var value))
        {
            return;
        }

        var minExclusive = NamedBool(range, "MinimumIsExclusive");
        var maxExclusive = NamedBool(range, "MaximumIsExclusive");
        var below = minExclusive ? value <= min : value < min;
        var above = maxExclusive ? value >= max : value > max;
        if (!below && !above)
        {
            return;
        }

        var shown = (minExclusive ? "(" : "[") + minText + ", " + maxText + (maxExclusive ? ")" : "]");
        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.AIOPS005_OptionOutOfRange,
            assignment.Value.Syntax.GetLocation(),
            $"{property.ContainingType.Name}.{property.Name}",
            assignment.Value.Syntax.ToString(),
            shown));
    }

    /// <summary>Whether the assignment sits in a lambda handed to Aiops configuration.</summary>
    private static bool InAiopsConfiguration(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is not IAnonymousFunctionOperation)
            {
                continue;
            }

            var parent = current.Parent;
            while (parent is IDelegateCreationOperation or IConversionOperation)
            {
                parent = parent.Parent;
            }

            if (parent is IArgumentOperation { Parent: IInvocationOperation invocation } && IsAiopsConfiguration(invocation.TargetMethod))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsAiopsConfiguration(IMethodSymbol method)
    {
        if (IsAiopsAssembly(method.ContainingAssembly))
        {
            return true;
        }

        return method.Name is "Configure" or "PostConfigure" && method.TypeArguments.Any(t => IsAiopsAssembly(t.ContainingAssembly));
    }

    private static bool IsAiopsAssembly(IAssemblySymbol? assembly) =>
        assembly is not null && (assembly.Name == "Aiops" || assembly.Name.StartsWith("Aiops.", StringComparison.Ordinal));

    private static bool NamedBool(AttributeData attribute, string name) =>
        attribute.NamedArguments.Any(a => a.Key == name && a.Value.Value is true);

    private static bool TryReadRange(AttributeData range, out double min, out double max, out bool isTimeSpan, out string minText, out string maxText)
    {
        min = max = 0;
        isTimeSpan = false;
        minText = maxText = string.Empty;
        var arguments = range.ConstructorArguments;
        if (arguments.Length == 2)
        {
            if (!TryNumber(arguments[0].Value, out min) || !TryNumber(arguments[1].Value, out max))
            {
                return false;
            }

            minText = min.ToString(CultureInfo.InvariantCulture);
            maxText = max.ToString(CultureInfo.InvariantCulture);
            return true;
        }

        if (arguments.Length == 3 && arguments[0].Value is ITypeSymbol type && arguments[1].Value is string low && arguments[2].Value is string high)
        {
            minText = low;
            maxText = high;
            if (type.ToDisplayString() == "System.TimeSpan")
            {
                isTimeSpan = true;
                if (TimeSpan.TryParse(low, CultureInfo.InvariantCulture, out var lowSpan) && TimeSpan.TryParse(high, CultureInfo.InvariantCulture, out var highSpan))
                {
                    min = lowSpan.Ticks;
                    max = highSpan.Ticks;
                    return true;
                }

                return false;
            }

            return double.TryParse(low, NumberStyles.Float, CultureInfo.InvariantCulture, out min)
                && double.TryParse(high, NumberStyles.Float, CultureInfo.InvariantCulture, out max);
        }

        return false;
    }

    /// <summary>The constant value of an expression: a number, or a TimeSpan in ticks.</summary>
    private static bool TryEvaluate(IOperation operation, bool isTimeSpan, out double value)
    {
        value = 0;
        while (operation is IConversionOperation conversion && !operation.ConstantValue.HasValue)
        {
            operation = conversion.Operand;
        }

        if (!isTimeSpan)
        {
            return operation.ConstantValue.HasValue && TryNumber(operation.ConstantValue.Value, out value);
        }

        switch (operation)
        {
            case IFieldReferenceOperation { Field: { IsStatic: true } field } when IsTimeSpan(field.ContainingType):
                switch (field.Name)
                {
                    case "Zero": value = 0; return true;
                    case "MaxValue": value = long.MaxValue; return true;
                    case "MinValue": value = long.MinValue; return true;
                    default: return false;
                }

            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Minus } negation when TryEvaluate(negation.Operand, true, out var operand):
                value = -operand;
                return true;

            case IInvocationOperation { TargetMethod: { IsStatic: true } method } invocation when IsTimeSpan(method.ContainingType) && method.Name.StartsWith("From", StringComparison.Ordinal):
                return TrySum(invocation.Arguments, UnitTicks(method.Name.Substring(4).ToLowerInvariant()), out value);

            case IObjectCreationOperation creation when IsTimeSpan(creation.Type):
                return TrySum(creation.Arguments, 0, out value);

            default:
                return false;
        }
    }

    /// <summary>Adds up TimeSpan components by parameter name (days, hours, ... ticks); other names take the method's unit.</summary>
    private static bool TrySum(ImmutableArray<IArgumentOperation> arguments, double defaultUnit, out double ticks)
    {
        ticks = 0;
        foreach (var argument in arguments)
        {
            var unit = UnitTicks(argument.Parameter?.Name ?? string.Empty);
            if (unit == 0)
            {
                unit = defaultUnit;
            }

            if (unit == 0 || !TryEvaluate(argument.Value, false, out var component))
            {
                return false;
            }

            ticks += component * unit;
        }

        return arguments.Length > 0;
    }

    private static double UnitTicks(string unit) => unit switch
    {
        "ticks" => 1,
        "microseconds" => TicksPerMicrosecond,
        "milliseconds" => TimeSpan.TicksPerMillisecond,
        "seconds" => TimeSpan.TicksPerSecond,
        "minutes" => TimeSpan.TicksPerMinute,
        "hours" => TimeSpan.TicksPerHour,
        "days" => TimeSpan.TicksPerDay,
        _ => 0,
    };

    private static bool IsTimeSpan(ITypeSymbol? type) => type?.ToDisplayString() == "System.TimeSpan";

    private static bool TryNumber(object? constant, out double value)
    {
        switch (constant)
        {
            case int i: value = i; return true;
            case long l: value = l; return true;
            case double d: value = d; return true;
            case float f: value = f; return true;
            case decimal m: value = (double)m; return true;
            case short s: value = s; return true;
            case byte b: value = b; return true;
            case uint u: value = u; return true;
            case ulong ul: value = ul; return true;
            default: value = 0; return false;
        }
    }
}
