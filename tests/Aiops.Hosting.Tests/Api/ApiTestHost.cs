using System.Diagnostics.CodeAnalysis;
using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Gates.Actions;
using Aiops.Hosting.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Aiops.Hosting.Tests.Api;

/// <summary>A real Kestrel on 127.0.0.1 (ephemeral port) with <c>AddAiops()</c>, the API services and <c>MapAiopsApi()</c>.</summary>
internal sealed class ApiTestHost : IAsyncDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private ApiTestHost(WebApplication app, Uri address)
    {
        App = app;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public static async Task<ApiTestHost> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null,
        Action<WebApplication>? map = null)
    {
        var app = Build(settings, configure, map);
        return new ApiTestHost(app, await Loopback.StartAsync(app));
    }

    [SuppressMessage("Reliability", "CA2000", Justification = "The host owns the application.")]
    private static WebApplication Build(IDictionary<string, string?>? settings, Action<IServiceCollection>? configure, Action<WebApplication>? map)
    {
        // Without an approval token the approval endpoints cannot authenticate anyone: allowed to start only by the opt-out.
        var (config, environment) = AnonymousDevelopment.Unless(settings, "Aiops:Api:ApprovalToken");
        var builder = Loopback.CreateBuilder(config, environment);
        builder.Services.AddAiops();
        ApiServiceCollectionExtensions.AddAiopsApiServices(builder.Services);

        // The API reads the stores directly; the stages must not run.
        builder.Services.RemoveAll<IHostedService>();
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        if (map is null)
        {
            app.MapAiopsApi();
        }
        else
        {
            map(app);
        }

        return app;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Builds episodes and a gates engine for the API tests.</summary>
internal static class ApiFixtures
{
    public static Episode Episode(string id, EpisodeState state, DateTimeOffset updatedAt, params string[] entities)
    {
        var labels = new Dictionary<string, string> { ["service"] = entities[0] };
        var alert = new AlertSignal("fp-" + id, "HighLatency", updatedAt.AddMinutes(-5), labels, AlertStatus.Firing, null, "critical", new Dictionary<string, string>());
        var change = new ChangeSignal("ch-" + id, "deploy", updatedAt.AddMinutes(-10), labels, ChangeKind.Deploy);
        var member = new EpisodeMember(alert, entities[0], updatedAt.AddMinutes(-5), updatedAt, 0, 1, IsActive: true);
        var transitions = new List<StateTransition>
        {
            new(updatedAt.AddMinutes(-5), null, EpisodeState.Pending, "first signal"),
            new(updatedAt.AddMinutes(-1), EpisodeState.Pending, state, "active long enough"),
        };
        var rca = new RootCauseAnalysis(
            IncidentCategory.ChangeInduced,
            "deploy shortly before the alert",
            [new RootCauseHypothesis(entities[0], 0.9, [new Evidence(EvidenceKind.Change, "deployed 10 minutes before", 0.6)])]);
        return new Episode(id, state, updatedAt.AddMinutes(-5), updatedAt, entities, [member], [change], transitions, 1, rca);
    }

    public static async Task<InMemoryEpisodeStore> SeedAsync()
    {
        var store = new InMemoryEpisodeStore();
        await store.SaveAsync(Episode("ep-000001", EpisodeState.Resolved, ApiTestHost.T0, "db"));
        await store.SaveAsync(Episode("ep-000002", EpisodeState.Firing, ApiTestHost.T0.AddMinutes(10), "api", "db"));
        await store.SaveAsync(Episode("ep-000003", EpisodeState.Pending, ApiTestHost.T0.AddMinutes(20), "web"));
        return store;
    }

    public static RemediationProposal Proposal(string key, string action = "restart") =>
        new(action, ["api-7f9c"], RiskClass.Low, "ep-000002", 0.9, key, DateTimeOffset.UtcNow);

    /// <summary>An engine whose one gate requires approval for actions named <c>restart</c> and allows the rest.</summary>
    public static (DecisionEngine Engine, InMemoryAuditLog Log, SimulatedAction Action) Engine()
    {
        var log = new InMemoryAuditLog();
        var action = new SimulatedAction("restart");
        var engine = new DecisionEngine(
            new GatePipeline([new ApprovalGate()]),
            log,
            new ActionRegistry([action, new SimulatedAction("scale")]));
        return (engine, log, action);
    }

    private sealed class ApprovalGate : IGatePolicy
    {
        public string Name => "approval";

        public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(context.Proposal.ActionId == "restart" ? GateDecision.RequireApproval("a person decides") : GateDecision.Allow("fine"));
    }
}
