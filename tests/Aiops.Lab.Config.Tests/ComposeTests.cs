using System.Text.RegularExpressions;

namespace Aiops.Lab.Config.Tests;

public sealed partial class ComposeTests
{
    private static readonly string ComposeFile = Path.Combine(LabFiles.RepoRoot, "docker-compose.yml");

    [FactRequiringTool("docker-compose", "docker-compose")]
    public async Task DockerComposeConfig_RepoRoot_IsValid()
    {
        var result = await Tool.RunAsync("docker-compose", ["-f", "docker-compose.yml", "config", "-q"]);

        Tool.AssertSuccess(result);
    }

    [FactRequiringTool("docker-compose", "docker-compose")]
    public async Task DockerComposeConfig_Services_AreTheLabsSix()
    {
        var result = await Tool.RunAsync("docker-compose", ["-f", "docker-compose.yml", "config", "--services"]);

        Tool.AssertSuccess(result);
        Assert.Equal(["alertmanager", "app", "exporter", "grafana", "prometheus", "receiver"], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ComposeFile_PublishedPorts_AreLoopbackOnly()
    {
        var ports = PortEntry().Matches(File.ReadAllText(ComposeFile)).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(6, ports.Count);
        Assert.All(ports, p => Assert.StartsWith("127.0.0.1:", p, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("App")]
    [InlineData("Exporter")]
    [InlineData("Receiver")]
    public void Dockerfile_LabProject_OneImageRecipeBuiltPerProjectOnAspNetRuntime(string project)
    {
        var dockerfile = File.ReadAllText(Path.Combine(LabFiles.RepoRoot, "samples", "lab", "Dockerfile"));
        var compose = File.ReadAllText(ComposeFile);

        Assert.Contains("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", dockerfile, StringComparison.Ordinal);
        Assert.Contains("FROM mcr.microsoft.com/dotnet/aspnet:10.0", dockerfile, StringComparison.Ordinal);
        Assert.Contains("dotnet publish \"samples/$PROJECT/$PROJECT.csproj\"", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"sh\", \"-c\", \"exec dotnet \\\"$LAB_SERVICE.dll\\\"\"]", dockerfile, StringComparison.Ordinal);
        Assert.Matches($@"dockerfile: samples/lab/Dockerfile\s+args:\s+PROJECT: Aiops\.Lab\.{project}\s", compose);
        Assert.True(File.Exists(Path.Combine(LabFiles.RepoRoot, "samples", $"Aiops.Lab.{project}", $"Aiops.Lab.{project}.csproj")));
    }

    // A port mapping line: - "HOST_IP:HOST:CONTAINER".
    [GeneratedRegex(@"^\s*-\s*""([^""]*:\d+:\d+)""\s*$", RegexOptions.Multiline)]
    private static partial Regex PortEntry();
}
