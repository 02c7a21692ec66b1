using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aiops.LoadTest;

/// <summary>A generic host (no web) with <c>AddAiops()</c>, configured through the <c>Aiops</c> section like an application.</summary>
internal static class PipelineHost
{
    public static IHost Create(string fullMode, int capacity, int maxSeries, string detector, int workers = 0)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Aiops:Channels:FullMode"] = fullMode,
            ["Aiops:Channels:SampleCapacity"] = capacity.ToString(CultureInfo.InvariantCulture),
            ["Aiops:Detection:Detector"] = detector,
            ["Aiops:Detection:MaxSeries"] = maxSeries.ToString(CultureInfo.InvariantCulture),
        });
        if (workers > 0)
        {
            builder.Configuration["Aiops:Detection:Workers"] = workers.ToString(CultureInfo.InvariantCulture);
        }

        builder.Services.AddAiops();
        return builder.Build();
    }
}
