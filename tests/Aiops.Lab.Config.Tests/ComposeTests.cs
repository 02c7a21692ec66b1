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
    public async Task DockerComposeConfig_Services_AreTheLabsSixAndTheClusterProfilesFive()
    {
        // docker-compose 1.29's `config --services` lists every profile's services.
        var result = await Tool.RunAsync("docker-compose", ["-f", "docker-compose.yml", "config", "--services"]);

        Tool.AssertSuccess(result);
        Assert.Equal(
            ["aiops-1", "aiops-2", "aiops-3", "alertmanager", "app", "exporter", "grafana", "loadbalancer", "prometheus", "receiver", "redis"],
            result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
    }

    [FactRequiringTool("docker-compose", "docker-compose")]
    public async Task DockerComposeConfig_ClusterProfile_IsValidAndOnlyTheLoadBalancerIsPublished()
    {
        var result = await Tool.RunAsync("docker-compose", ["-f", "docker-compose.yml", "--profile", "cluster", "config"]);

        Tool.AssertSuccess(result);
        var config = result.Stdout;
        Assert.Equal(3, Regex.Matches(config, @"PROJECT: Aiops\.Hosting\.Sample").Count);
        Assert.Equal(3, Regex.Matches(config, @"Sample__Redis: redis:6379").Count);
        Assert.Contains("nginx.conf:/etc/nginx/nginx.conf:ro", config, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(LabFiles.RepoRoot, "samples", "Aiops.Hosting.Sample", "cluster", "nginx.conf")));
    }

    [Fact]
    public void ComposeFile_PublishedPorts_AreLoopbackOnly()
    {
        var ports = PortEntry().Matches(File.ReadAllText(ComposeFile)).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(7, ports.Count);
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
