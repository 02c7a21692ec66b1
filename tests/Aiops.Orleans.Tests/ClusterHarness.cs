using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Aiops.Correlation;
using Aiops.Gates;
using Aiops.Hosting;
using Aiops.Hosting.Alertmanager;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Aiops.Orleans.Tests;

/// <summary>An action that counts its runs per idempotency key, across every silo of the process.</summary>
internal sealed class CountingAction(string id, ConcurrentDictionary<string, int> runs) : IRemediationAction
{
    public string Id => id;

    public RiskClass Risk => RiskClass.Low;

    public ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken)
    {
        runs.AddOrUpdate(decision.Proposal.IdempotencyKey, 1, static (_, n) => n + 1);
        return ValueTask.FromResult(ActionOutcome.Success("counted"));
    }
}

/// <summary>What the silos of one test cluster share: the clock, the gates' settings and the actions' run counts.</summary>
internal sealed class ClusterWorld
{
    /// <summary>The global rate limit of every action: <see cref="RateLimit"/> starts per hour.</summary>
    public const int RateLimit = 5;

    /// <summary>How many distinct flush actions the silos register (the property runs use one each).</summary>
    public const int FlushActions = 64;

    /// <summary>
    /// Gets the silos' clock: the system's. Orleans resolves the <see cref="TimeProvider"/> of the silo's container for its
    /// own timers and timeouts, so a fake clock there drives (and stalls) the runtime too; nothing here asserts on time.
    /// </summary>
    public TimeProvider Time { get; } = TimeProvider.System;

    public ConcurrentDictionary<string, int> Runs { get; } = new(StringComparer.Ordinal);

    /// <summary>Registers the whole Aiops pipeline in clustered mode on a silo, with the world's clock, gates and actions.</summary>
    public void Configure(ISiloBuilder silo)
    {
        silo.AddAiopsGrains();
        var services = silo.Services;
        services.AddSingleton<TimeProvider>(Time);

        // A TestingHost silo is a generic host; the webhook and API services Aiops registers expect ASP.NET routing.
        services.AddRouting();
        var gates = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Policies:0:Type"] = GateNames.RateLimit,
            ["Policies:0:MaxExecutions"] = RateLimit.ToString(CultureInfo.InvariantCulture),
            ["Policies:0:MaxExecutionsPerTarget"] = "1",
            ["Policies:0:Window"] = "01:00:00",
            ["Policies:1:Type"] = GateNames.Cooldown,
            ["Policies:1:Cooldown"] = "00:15:00",

            // The default risk ceiling: a high-risk action waits for a person's approval.
            ["Policies:2:Type"] = GateNames.RiskCeiling,
        }).Build();
        services.AddSingleton(sp => GatesConfiguration.Load(gates, Time, sp.GetService<IChangeFeed>()));
        services.Configure<AiopsOptions>(o => o.AllowAnonymous = true);
        services.Configure<CorrelatorOptions>(o => o.PendingFor = TimeSpan.Zero);
        services.Configure<CorrelationStageOptions>(o => o.TickInterval = TimeSpan.FromMilliseconds(50));
        services.Configure<RemediationOptions>(o => o.ApprovalPollInterval = TimeSpan.FromMilliseconds(50));
        services.AddAiops(aiops =>
        {
            // One action per property run: each run starts with an empty rate-limit window without moving the clock by hours.
            for (var i = 0; i < FlushActions; i++)
            {
                aiops.AddAction(new CountingAction(FlushAction(i), Runs));
            }
        });
        services.AddAiops(aiops => aiops
            .UseOrleans(o => o.ScopeLabel = "namespace")
            .AddAction(new CountingAction("restart", Runs))
            .AddAction(new CountingAction(ApprovalAction, Runs))
            .ConfigureRemediation(o =>
            {
                o.Rules.Add(new RemediationRule { Action = "restart", Entities = ["checkout", "payments", "search"] });
                o.Rules.Add(new RemediationRule { Action = ApprovalAction, Entities = [ApprovalService], Risk = RiskClass.High });
            }));
    }

    /// <summary>The high-risk action proposed for <see cref="ApprovalService"/>: it runs only once a person approves it.</summary>
    public const string ApprovalAction = "failover";

    /// <summary>The service whose incidents propose <see cref="ApprovalAction"/>.</summary>
    public const string ApprovalService = "ledger";

    public static string FlushAction(int run) => $"flush-{run % FlushActions}";

    /// <summary>Posts an Alertmanager notification to one silo's webhook handler, as Alertmanager would.</summary>
    public static async Task<int> PostAsync(IServiceProvider silo, string body)
    {
        var handler = silo.GetRequiredService<AlertmanagerWebhookHandler>();
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext { RequestServices = silo };
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = bytes.Length;
        context.Request.Body = new MemoryStream(bytes);
        context.Response.Body = new MemoryStream();
        await handler.HandleAsync(context);
        return context.Response.StatusCode;
    }

    /// <summary>An Alertmanager v4 notification of one group: its alerts all carry the service and namespace labels.</summary>
    public static string Payload(string groupKey, string service, string ns, DateTimeOffset startsAt, params string[] alertNames)
    {
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $$"""{"version":"4","groupKey":"{{groupKey}}","status":"firing","receiver":"aiops","alerts":[""");
        for (var i = 0; i < alertNames.Length; i++)
        {
            json.Append(i == 0 ? string.Empty : ",");
            json.Append(CultureInfo.InvariantCulture, $$"""{"status":"firing","labels":{"alertname":"{{alertNames[i]}}","service":"{{service}}","namespace":"{{ns}}"},"annotations":{},"startsAt":"{{startsAt:O}}","endsAt":"0001-01-01T00:00:00Z","fingerprint":"{{groupKey}}-{{i}}"}""");
        }

        return json.Append("]}").ToString();
    }

    /// <summary>Waits (in real time, without asserting on it) until <paramref name="condition"/> holds or the budget is spent.</summary>
    public static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition, double seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(25);
        }

        return await condition();
    }

    public static IServiceProvider Services(SiloHandle silo) => ((InProcessSiloHandle)silo).SiloHost.Services;
}
