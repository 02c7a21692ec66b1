using System.Reflection;

namespace Aiops.Lab;

/// <summary>Where the lab's files are: the repository, the lab configuration, the built services, a run's working folder.</summary>
internal static class LabPaths
{
    /// <summary>The repository root: the nearest folder above the runner that holds <c>Aiops.sln</c>.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The lab's configuration templates: <c>samples/lab</c>.</summary>
    public static string ConfigTemplates => Path.Combine(RepositoryRoot, "samples", "lab");

    /// <summary>The build configuration the runner was built with; the services are started from the same one.</summary>
    public static string Configuration { get; } =
        typeof(LabPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>The built assembly of a sample service, e.g. <c>samples/Aiops.Lab.App/bin/Release/net10.0/Aiops.Lab.App.dll</c>.</summary>
    public static string ServiceAssembly(string project) =>
        Path.Combine(RepositoryRoot, "samples", project, "bin", Configuration, "net10.0", project + ".dll");

    /// <summary>Creates a fresh folder for one run's configuration, data and logs under <c>artifacts/lab/</c>.</summary>
    public static string NewRunFolder()
    {
        var folder = Path.Combine(RepositoryRoot, "artifacts", "lab", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Aiops.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Aiops.sln was not found above {AppContext.BaseDirectory}: run the lab from a clone of the repository.");
    }
}
