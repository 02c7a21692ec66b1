using System.Globalization;
using Aiops.Correlation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aiops.LoadTest;

/// <summary>
/// A Kestrel host on 127.0.0.1 with <c>AddAiops()</c> and <c>MapAiopsAlertmanager</c> only, for a load tool such as wrk.
/// Prints its address when listening, and the webhook outcomes and memory when stopped (Ctrl+C or SIGTERM).
/// </summary>
internal static class WebhookServerCommand
{
    public static async Task<int> RunAsync(CommandLine options)
    {
        var port = options.Int("port", 0);
        var token = options.String("token");
        // Without a token the webhook is open: allowed only in Development (Aiops:AllowAnonymous), where it is logged as a warning.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], EnvironmentName = token is null ? Environments.Development : Environments.Production });
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(token is null
            ? new Dictionary<string, string?> { ["Aiops:AllowAnonymous"] = "true" }
            : new Dictionary<string, string?> { ["Aiops:Alertmanager:BearerToken"] = token });

        builder.AddAiops();
        await using var app = builder.Build();
        app.MapAiopsAlertmanager("/aiops/alertmanager");

        using var probe = new PipelineProbe();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine($"listening on {address}/aiops/alertmanager{(token is null ? string.Empty : " (bearer token required)")}");

        var memory = new MemoryProbe(TimeSpan.FromMilliseconds(250));
        var (idleHeap, idleWorkingSet) = memory.Take();
        await app.WaitForShutdownAsync();
        var (heap, workingSet) = memory.Take();
        await memory.DisposeAsync();
        var correlator = app.Services.GetRequiredService<Correlator>();

        Console.WriteLine();
        Console.WriteLine($"  webhook requests       {probe.WebhookAccepted + probe.WebhookDuplicate + probe.WebhookOther,14:N0}   accepted {probe.WebhookAccepted:N0}, duplicate {probe.WebhookDuplicate:N0}, other {probe.WebhookOther:N0}");
        Console.WriteLine($"  signals correlated     {probe.Correlated,14:N0}   dropped {probe.DroppedSignals:N0}; open episodes {correlator.OpenCount:N0}");
        Console.WriteLine($"  managed heap           {MemoryProbe.Mib(heap),14}   at start {MemoryProbe.Mib(idleHeap)}, peak {MemoryProbe.Mib(memory.PeakHeapBytes)} (sampled every 250 ms)");
        Console.WriteLine($"  working set            {MemoryProbe.Mib(workingSet),14}   at start {MemoryProbe.Mib(idleWorkingSet)}, peak {MemoryProbe.Mib(memory.PeakWorkingSetBytes)} (process peak {MemoryProbe.Mib(MemoryProbe.ProcessPeakWorkingSet())})");
        return 0;
    }
}
