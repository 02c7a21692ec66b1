using System.Text.Json;
using Aiops.Correlation;
using Aiops.Correlation.Serialization;
using Aiops.Hosting;
using Microsoft.Extensions.DependencyInjection;
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
/// </summary>
internal sealed class CorrelationScopeGrain(
    [PersistentState("scope", AiopsGrains.StorageName)] IPersistentState<ScopeState> state,
    IServiceProvider services) : Grain, ICorrelationScopeGrain
{
    private Correlator? _correlator;
    private IGrainTimer? _ticks;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _correlator = new Correlator(
            services.GetRequiredService<IOptions<CorrelatorOptions>>().Value,
            services.GetService<DependencyGraph>(),
            services.GetService<IRootCauseRanker>(),
            services.GetRequiredService<TimeProvider>());
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

    /// <summary>The cluster's id of a scope's episode: the correlator's id, <c>@</c>, and the scope.</summary>
    internal static string QualifyId(string id, string scope) => $"{id}@{scope}";

    private Episode Qualify(Episode episode)
    {
        var scope = this.GetPrimaryKeyString();
        return episode with
        {
            Id = QualifyId(episode.Id, scope),
            MergedInto = episode.MergedInto is { } into ? QualifyId(into, scope) : null,
        };
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        _correlator!.Tick();
        await FlushAsync().ConfigureAwait(true);
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
    }
}
