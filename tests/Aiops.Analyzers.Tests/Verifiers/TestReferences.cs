using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Aiops.Analyzers.Tests.Verifiers;

/// <summary>
/// What the snippets compile against: every assembly this test process runs with (the .NET and ASP.NET Core shared
/// frameworks, the Aiops assemblies, prometheus-net), so no reference pack is downloaded.
/// </summary>
internal static class TestReferences
{
    /// <summary>No reference package: <see cref="All"/> supplies the references.</summary>
    public static ReferenceAssemblies None { get; } = new("net10.0");

    /// <summary>Gets the references of the running process.</summary>
    public static ImmutableArray<MetadataReference> All { get; } = Load();

    private static ImmutableArray<MetadataReference> Load()
    {
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return [.. paths.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}
