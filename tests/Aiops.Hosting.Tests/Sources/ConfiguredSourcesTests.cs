using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using Aiops.Detection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aiops.Hosting.Tests.Sources;

public sealed class ConfiguredSourcesTests
{
    [Fact]
    public async Task AddAiops_MeterSourceInConfiguration_WatchesTheMeterOnceEvenWhenCalledTwice()
    {
        using var meter = new Meter("test.configured." + Guid.NewGuid().ToString("N"));
        var gauge = meter.CreateGauge<double>("queue.depth");
        var builder = Builder(new()
        {
            ["Aiops:Sources:Meter:0:Meters:0"] = meter.Name,
            ["Aiops:Sources:Meter:0:CollectInterval"] = "01:00:00",
            ["Aiops:Sources:Meter:0:HistogramQuantile"] = "0.95",
        });
        builder.AddAiops();
        builder.AddAiops();
        using var host = builder.Build();

        // Only the source is started: with the whole host running, the pipeline's detection stage could take the sample from
        // the channel before this test reads it (it did under load).
        var source = Assert.Single(host.Services.GetServices<IHostedService>().OfType<MeterListenerSource>());
        await source.StartAsync(CancellationToken.None);
        gauge.Record(42);
        source.Collect();

        var reader = host.Services.GetRequiredService<AiopsPipelineWriter>().Samples.Reader;
        Assert.True(reader.TryRead(out var sample));
        Assert.Equal((new SeriesKey("queue.depth"), 42.0), (sample.Series, sample.Value));
        await source.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void AddAiops_PrometheusSourcesInConfiguration_OneSourcePerEntry()
    {
        var builder = Builder(new()
        {
            ["Aiops:Sources:Prometheus:0:BaseAddress"] = "http://127.0.0.1:9090",
            ["Aiops:Sources:Prometheus:0:Queries:0:Name"] = "rps",
            ["Aiops:Sources:Prometheus:0:Queries:0:Expr"] = "sum(rate(http_requests_total[1m]))",
            ["Aiops:Sources:Prometheus:1:BaseAddress"] = "http://127.0.0.1:9091",
            ["Aiops:Sources:Prometheus:1:Queries:0:Expr"] = "up",
            ["Aiops:Sources:Prometheus:1:Step"] = "00:00:05",
        });

        builder.AddAiops();
        using var host = builder.Build();

        Assert.Equal(2, host.Services.GetServices<IHostedService>().Count(s => s.GetType().Name == "PrometheusSource"));
    }

    [Fact]
    public void AddAiops_InvalidDeclaredSources_EveryErrorNamedByPath()
    {
        var builder = Builder(new()
        {
            ["Aiops:Sources:Prometheus:0:Queries:0:Expr"] = "up",
            ["Aiops:Sources:Prometheus:0:Step"] = "00:00:00",
            ["Aiops:Sources:Meter:0:Meters:0"] = "x",
            ["Aiops:Sources:Meter:0:CollectIntervall"] = "00:00:01",
            ["Aiops:Sources:Otlp:0:Endpoint"] = "x",
        });

        var error = Assert.Throws<ValidationException>(() => builder.AddAiops());

        Assert.Contains("Aiops:Sources:Prometheus:0:BaseAddress: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Aiops:Sources:Prometheus:0:Step: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Aiops:Sources:Meter:0: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("CollectIntervall", error.Message, StringComparison.Ordinal);
        Assert.Contains("Aiops:Sources:Otlp: unknown source kind 'Otlp' (known: Meter, Prometheus).", error.Message, StringComparison.Ordinal);
    }

    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }
}
