using Aiops.Hosting.Tests.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests;

public sealed class AiopsOptionsStartupTests
{
    [Fact]
    public async Task StartAsync_UndefinedChannelFullMode_FailsWithConfigurationPath()
    {
        var time = new FakeTimeProvider(PipelineTestHost.Start);
        using var host = PipelineTestHost.Build(time, config: new Dictionary<string, string?> { ["Aiops:Channels:FullMode"] = "7" });

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("Aiops:Channels:FullMode", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AddAiops_CalledTwice_SameRegistrationsAsOnce()
    {
        var once = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        once.AddAiops();
        var twice = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        twice.AddAiops();
        twice.AddAiops();
        twice.Services.AddAiops();

        static string[] Describe(IServiceCollection s) => [.. s.Select(d => $"{d.ServiceType.FullName}|{d.ImplementationType?.FullName}|{d.ImplementationInstance?.GetType().FullName}|{d.ImplementationFactory?.Method}").Order(StringComparer.Ordinal)];
        Assert.Equal(Describe(once.Services), Describe(twice.Services));
    }
}
