using System.Text.Json;
using Aiops.Correlation;
using Aiops.Correlation.Serialization;
using Aiops.Gates.Internal;
using Aiops.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Aiops.Orleans;

/// <summary>
/// The correlator of one scope, whichever silo received the signals: it adds each signal, advances episode lifecycles every
/// <see cref="CorrelationStageOptions.TickInterval"/>, saves changed episodes to this silo's <see cref="IEpisodeStore"/>,
/// offers them to this silo's remediation stage, and persists the scope's open episodes to grain storage (restored when
/// the scope activates again, on any silo). Every correlator numbers its episodes from <c>ep-000001</c>, so the episodes a
/// scope hands out carry the scope in their id (<c>ep-000001@shop</c>): ids stay unique across the cluster's scopes (the
/// remediation stage and the episode store key on them). The persisted state keeps the correlator's own ids.
/// A scope with open episodes is listed in the <see cref="IScopeIndexGrain"/>, which resumes it every
/// <see cref="AiopsOrleansOptions.ResumeInterval"/>: an episode offered to the remediation stage of a silo that died before
/// deciding (or running) it is offered again, on whichever silo the scope is active, until its decisions no longer need a
/// stage. The decision grains make an offer made twice harmless (one decision and at most one execution per key).
/// The scope never waits on the cluster's bookkeeping to correlate: it tells the index without waiting for its answer, and
/// a resume pass asks each decision grain for at most <see cref="AiopsOrleansOptions.ResumeInterval"/> (one that does not
/// answer, its silo dead but not yet declared so, counts as needing a stage). Before, a scope activated on a survivor
/// could wait on such a call for the whole response timeout (30 s) while its signals queued behind it.
/// </summary>
internal sealed partial class CorrelationScopeGrain(
    [PersistentState("scope", AiopsGrains.StorageName)] IPersistentState<ScopeState> state,
    IServiceProvider services) : Grain, ICorrelationScopeGrain
{
    private Correlator? _correlator;
    private IGrainTimer? _ticks;
    private bool? _listed;
    private Task _telling = Task.CompletedTask;
    private bool _tellAgain;
    private TimeSpan _askFor;
    private TimeProvider _time = null!;
    private ILogger _logger = null!;
    private string _scope = string.Empty;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _scope = this.GetPrimaryKeyString();
        _time = services.GetRequiredService<TimeProvider>();
        _logger = NonThrowingLogger.Wrap(services.GetRequiredService<ILogger<CorrelationScopeGrain>>());
        _askFor = services.GetRequiredService<IOptions<AiopsOrleansOptions>>().Value.ResumeInterval;
        _correlator = new Correlator(
            services.GetRequiredService<IOptions<CorrelatorOptions>>().Value,
            services.GetService<DependencyGraph>(),
            services.GetService<IRootCauseRanker>(),
            _time);
        if (state.State.EpisodesJson is { } json && JsonSerializer.Deserialize(json, CorrelationJson.EpisodeList) is { } episodes)
        {
            _correlator.Restore(episodes);
        }

        var tick = services.GetRequiredService<IOptions<CorrelationStageOptions>>().Value.TickInterval;
        _ticks = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(tick, tick) { KeepAlive = true });
        await base.OnActivateAsync(cancellationToken).ConfigureAwait(true);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _ticks?.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task AddAsync(string signalJson)
    {
        var signal = JsonSerializer.Deserialize(signalJson, CorrelationJson.Signal);
        if (signal is null)
        {
            return;
        }

        _correlator!.Add(signal);
        await FlushAsync().ConfigureAwait(true);
    }

    public Task<string> GetEpisodesAsync() =>
        Task.FromResult(JsonSerializer.Serialize<IReadOnlyList<Episode>>([.. _correlator!.Snapshot().Select(Qualify)], CorrelationJson.EpisodeList));

    public async Task<int> ResumeAsync()
    {
        TellIndex();
        if (services.GetService<IRemediationPlanner>() is not { } planner)
        {
            return 0;
        }

        var configured = services.GetRequiredService<IOptions<RemediationOptions>>().Value.States;
        IReadOnlyCollection<EpisodeState> states = configured.Count == 0 ? [EpisodeState.Firing] : [.. configured];
        var writer = services.GetRequiredService<AiopsPipelineWriter>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var offered = 0;
        foreach (var local in _correlator!.Snapshot())
        {
            if (local.MergedInto is not null || !states.Contains(local.State))
            {
                continue;
            }

            var episode = Qualify(local);
            foreach (var proposal in await planner.PlanAsync(episode, now, CancellationToken.None).ConfigureAwait(true))
            {
                if (proposal?.IdempotencyKey is { Length: > 0 } key && await NeedsRemediationAsync(key).ConfigureAwait(true))
                {
                    writer.TryWriteEpisode(episode);
                    offered++;
                    break;
                }
            }
        }

        return offered;
    }

    /// <summary>The cluster's id of a scope's episode: the correlator's id, <c>@</c>, and the scope.</summary>
    internal static string QualifyId(string id, string scope) => $"{id}@{scope}";

    private Episode Qualify(Episode episode)
    {
        return episode with
        {
            Id = QualifyId(episode.Id, _scope),
            MergedInto = episode.MergedInto is { } into ? QualifyId(into, _scope) : null,
        };
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        _correlator!.Tick();
        await FlushAsync().ConfigureAwait(true);
        if (_tellAgain)
        {
            TellIndex();
        }
    }

    /// <summary>
    /// Whether a key still needs a remediation stage, asked for at most <see cref="_askFor"/>: a decision grain that does not
    /// answer (its silo died and is not yet declared dead) counts as needing one, since an offer made twice is harmless
    /// and an episode not offered could wait for the next pass.
    /// </summary>
    private async Task<bool> NeedsRemediationAsync(string key)
    {
        var call = GrainFactory.GetGrain<IDecisionGrain>(key).NeedsRemediationAsync();
        try
        {
            return await call.WaitAsync(_askFor, _time).ConfigureAwait(true);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // An abandoned call still completes (or times out) later; its failure is observed here, not left to the finalizer.
            _ = call.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            LogNoAnswer(_logger, ex, key, _scope);
            return true;
        }
    }

    /// <summary>
    /// Lists the scope in the index while it holds open episodes (told once per change, and once per activation), without
    /// waiting for the index: one telling at a time; a change made meanwhile, or a telling that failed, is told at the next tick.
    /// </summary>
    private void TellIndex()
    {
        if (!_telling.IsCompleted)
        {
            _tellAgain = true;
            return;
        }

        _tellAgain = false;
        var open = _correlator!.Snapshot().Any(static e => e.MergedInto is null && e.State is not (EpisodeState.Resolved or EpisodeState.Inactive));
        if (_listed != open)
        {
            _telling = TellIndexAsync(open);
        }
    }

    private async Task TellIndexAsync(bool open)
    {
        try
        {
            await GrainFactory.GetGrain<IScopeIndexGrain>(AiopsGrains.ScopeIndexKey).SetAsync(_scope, open).ConfigureAwait(true);
            _listed = open;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _tellAgain = true;
            LogIndexNotTold(_logger, ex, _scope);
        }
    }

    private async Task FlushAsync()
    {
        var changed = _correlator!.DrainChanged();
        if (changed.Count == 0)
        {
            return;
        }

        // Persisted first: a scope that moves to another silo resumes with the episodes remediation was offered.
        state.State.EpisodesJson = JsonSerializer.Serialize(_correlator.Snapshot(), CorrelationJson.EpisodeList);
        await state.WriteStateAsync().ConfigureAwait(true);
        var store = services.GetRequiredService<IEpisodeStore>();
        var writer = services.GetRequiredService<AiopsPipelineWriter>();
        foreach (var local in changed)
        {
            var episode = Qualify(local);
            await store.SaveAsync(episode).ConfigureAwait(true);
            writer.TryWriteEpisode(episode);
        }

        TellIndex();
    }

    [LoggerMessage(EventId = 5213, Level = LogLevel.Debug, Message = "Decision {Key} did not answer whether it needs a stage; scope {Scope} offers its episode again")]
    private static partial void LogNoAnswer(ILogger logger, Exception exception, string key, string scope);

    [LoggerMessage(EventId = 5214, Level = LogLevel.Debug, Message = "The scope index could not be told about scope {Scope}; it is told again at the next tick")]
    private static partial void LogIndexNotTold(ILogger logger, Exception exception, string scope);
}
