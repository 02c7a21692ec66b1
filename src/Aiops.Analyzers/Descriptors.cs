using Microsoft.CodeAnalysis;

namespace Aiops.Analyzers;

/// <summary>Every rule of Aiops.Analyzers: one descriptor each, with its id, title, message, category, severity and help page.</summary>
internal static class Descriptors
{
    private const string HelpBase = "https://github.com/aiops-dotnet/aiops/blob/main/docs/analyzers/";

    /// <summary>Metric and label names of prometheus-net metrics follow the Prometheus conventions.</summary>
    internal static readonly DiagnosticDescriptor AIOPS001_PrometheusNaming = Rule(
        "AIOPS001",
        "Prometheus metric and label names follow the naming conventions",
        "Prometheus name '{0}': {1}",
        Category.Naming,
        DiagnosticSeverity.Warning,
        "Prometheus names are snake_case, counters (and only counters) end in _total, units are base units (_seconds, _bytes), the __ prefix is reserved and label names match [a-zA-Z_][a-zA-Z0-9_]*.");

    /// <summary>A remediation action declares its risk class.</summary>
    internal static readonly DiagnosticDescriptor AIOPS002_UndeclaredRisk = Rule(
        "AIOPS002",
        "Remediation actions declare their risk class",
        "Remediation action '{0}' does not declare its risk class: {1}",
        Category.Usage,
        DiagnosticSeverity.Warning,
        "The gates decide from an action's risk class (high needs a person, destructive never runs automatically); an action that only inherits the default Low was never judged by anyone.");

    /// <summary>A gate policy denies instead of throwing and never blocks.</summary>
    internal static readonly DiagnosticDescriptor AIOPS003_GateThrowsOrBlocks = Rule(
        "AIOPS003",
        "Gate policies return a deny instead of throwing and never block",
        "Gate policy '{0}' {1}",
        Category.Reliability,
        DiagnosticSeverity.Warning,
        "A gate that throws is treated as a deny with an error logged and counted, not with the gate's own reason; a gate that blocks (.Result, .Wait()) holds a thread pool thread for every decision and cannot honour its timeout.");

    /// <summary>Detectors and gates take time from a TimeProvider.</summary>
    internal static readonly DiagnosticDescriptor AIOPS004_StaticClock = Rule(
        "AIOPS004",
        "Detectors and gates take the time from a TimeProvider",
        "'{0}' reads a static clock inside {1} '{2}'; use {3}",
        Category.Reliability,
        DiagnosticSeverity.Warning,
        "Detectors and gates judge time from their input (the point's timestamp, GateContext.Now) or from an injected TimeProvider; a static clock makes them untestable and makes replays and backtests disagree with live runs.");

    /// <summary>An option value known at compile time is outside its [Range].</summary>
    internal static readonly DiagnosticDescriptor AIOPS005_OptionOutOfRange = Rule(
        "AIOPS005",
        "Aiops option values are within their valid range",
        "'{0}' is set to {1}, outside its valid range {2}; the host fails to start",
        Category.Usage,
        DiagnosticSeverity.Error,
        "Aiops options are validated when the host starts; a constant outside the property's [Range] makes every start fail.");

    private static DiagnosticDescriptor Rule(string id, string title, string messageFormat, string category, DiagnosticSeverity severity, string description) =>
        new(id, title, messageFormat, category, severity, isEnabledByDefault: true, description: description, helpLinkUri: HelpBase + id + ".md");

    private static class Category
    {
        internal const string Naming = "Naming";
        internal const string Usage = "Usage";
        internal const string Reliability = "Reliability";
    }
}
