using Microsoft.CodeAnalysis;

namespace Aiops.Analyzers;

/// <summary>The Aiops types the rules look for, by metadata name (absent when the compilation does not reference them).</summary>
internal sealed class KnownTypes
{
    private KnownTypes(Compilation compilation)
    {
        GatePolicy = compilation.GetTypeByMetadataName("Aiops.Gates.IGatePolicy");
        RemediationAction = compilation.GetTypeByMetadataName("Aiops.Gates.IRemediationAction");
        RiskClass = compilation.GetTypeByMetadataName("Aiops.Gates.RiskClass");
        AnomalyDetector = compilation.GetTypeByMetadataName("Aiops.Detection.IAnomalyDetector");
        TimeProvider = compilation.GetTypeByMetadataName("System.TimeProvider");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        OperationCanceledException = compilation.GetTypeByMetadataName("System.OperationCanceledException");
    }

    internal INamedTypeSymbol? GatePolicy { get; }

    internal INamedTypeSymbol? RemediationAction { get; }

    internal INamedTypeSymbol? RiskClass { get; }

    internal INamedTypeSymbol? AnomalyDetector { get; }

    internal INamedTypeSymbol? TimeProvider { get; }

    internal INamedTypeSymbol? Task { get; }

    internal INamedTypeSymbol? TaskOfT { get; }

    internal INamedTypeSymbol? ValueTask { get; }

    internal INamedTypeSymbol? ValueTaskOfT { get; }

    internal INamedTypeSymbol? OperationCanceledException { get; }

    internal static KnownTypes Create(Compilation compilation) => new(compilation);

    /// <summary>Whether a type is, or implements, an interface.</summary>
    internal static bool Implements(ITypeSymbol? type, INamedTypeSymbol? @interface)
    {
        if (type is null || @interface is null)
        {
            return false;
        }

        if (SymbolEqualityComparer.Default.Equals(type, @interface))
        {
            return true;
        }

        foreach (var implemented in type.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(implemented, @interface))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a type derives from (or is) a class.</summary>
    internal static bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol? baseType)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }
}
