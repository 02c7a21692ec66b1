using System.Text.Json;
using Aiops.Correlation;
using Aiops.Correlation.Serialization;
using Aiops.Gates;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Aiops.Orleans.Tests;

/// <summary>
/// A correlation scope keeps correlating and answering while the grains it consults do not answer: the scope index (its
/// store held, as when its silo died and is not yet declared dead) and a decision grain busy deciding (a gate holding it
/// up to its timeout). Before, a scope waited on either for the whole response timeout, its signals queued behind it.
/// </summary>
public sealed class ScopeLivenessTests(ScopeLivenessTests.Fixture fixture) : IClassFixture<ScopeLivenessTests.Fixture>
{
    /// <summary>How long a call that must not wait on the held grain may take: far beyond its work, well below the 30 s response timeout.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AddAsync_ScopeIndexStoreHeld_SignalCorrelatedAndScopeListedOnceReleased()
    {
        var ns = "held-index-" + Guid.NewGuid().ToString("N")[..8];
        var scope = fixture.Cluster.GrainFactory.GetGrain<ICorrelationScopeGrain>(ns);
        var signal = new AlertSignal(
            $"fp-{ns}",
            "HighErrorRate",
            Fixture.World.Time.GetUtcNow(),
            new Dictionary<string, string> { ["service"] = "catalog", ["namespace"] = ns },
            AlertStatus.Firing,
            EndsAt: null,
            Severity: null,
            Annotations: new Dictionary<string, string>());

        var held = Fixture.Storage.Hold(ScopeIndexStateName);
        try
        {
            await scope.AddAsync(JsonSerializer.Serialize<Signal>(signal, CorrelationJson.Signal)).WaitAsync(Patience);

            // The scope told the index, whose write waits: the scope answers all the same.
            Assert.True(await ClusterWorld.WaitUntilAsync(() => Task.FromResult(held.Waiting > 0), 60), "the scope never told the index");
            var episodes = JsonSerializer.Deserialize(await scope.GetEpisodesAsync().WaitAsync(Patience), CorrelationJson.EpisodeList)!;
            Assert.Single(episodes);
            Assert.Equal(1, held.Waiting);
        }
        finally
        {
            held.Release();
        }

        var index = fixture.Cluster.GrainFactory.GetGrain<IScopeIndexGrain>(AiopsGrains.ScopeIndexKey);
        Assert.True(await ClusterWorld.WaitUntilAsync(async () => (await index.ListAsync()).Contains(ns), 60), "the scope was not listed once the index could write");
    }

    [Fact]
    public async Task ResumeAsync_DecisionHeldByASlowGate_OffersAtOnceAndRunsOnce()
    {
        var ns = "held-gate-" + Guid.NewGuid().ToString("N")[..8];
        var silo = ClusterWorld.Services(fixture.Cluster.Silos[0]);
        Assert.Equal(200, await ClusterWorld.PostAsync(silo, ClusterWorld.Payload($"g-{ns}", "checkout", ns, Fixture.World.Time.GetUtcNow(), "HighErrorRate")));
        await Fixture.Gate.Entered.WaitAsync(TimeSpan.FromSeconds(60));

        // The key's decision grain is deciding, held by the gate: asked whether the key needs a stage, it answers at once.
        var scope = fixture.Cluster.GrainFactory.GetGrain<ICorrelationScopeGrain>(ns);
        Assert.Equal(1, await scope.ResumeAsync().WaitAsync(Patience));

        Fixture.Gate.Release();
        Assert.True(await ClusterWorld.WaitUntilAsync(() => Task.FromResult(Fixture.World.Runs.Keys.Any(k => k.Contains(ns, StringComparison.Ordinal))), 60), "the decision never ran");
        Assert.True(await ClusterWorld.WaitUntilAsync(async () => await scope.ResumeAsync() == 0, 60), "the scope still offers its episode after the run");
        Assert.Equal(1, Fixture.World.Runs.Single(r => r.Key.Contains(ns, StringComparison.Ordinal)).Value);
    }

    /// <summary>The state name of the scope index's persisted list.</summary>
    private const string ScopeIndexStateName = "scopes";

    /// <summary>One in-process silo whose gate and grain store the tests hold.</summary>
    public sealed class Fixture : SiloFixture<Fixture.Configurator>
    {
        internal static ClusterWorld World { get; } = new();

        internal static HeldGate Gate { get; } = new();

        internal static HeldStorage Storage { get; } = new();

        protected override void BeforeStop() => Gate.Release();

        public sealed class Configurator : ISiloConfigurator
        {
            public void Configure(ISiloBuilder siloBuilder)
            {
                const string Inner = "inner";
                siloBuilder.AddMemoryGrainStorage(Inner);
                siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(AiopsGrains.StorageName, (sp, _) => Storage.Over(sp.GetRequiredKeyedService<IGrainStorage>(Inner)));

                // The engine the decision grains use: one gate, which waits until the test releases it (its timeout is long).
                siloBuilder.Services.AddSingleton(sp => new DecisionEngine(
                    new GatePipeline([Gate], new GatePipelineOptions { GateTimeout = TimeSpan.FromMinutes(5) }),
                    sp.GetRequiredService<IAuditLog>(),
                    sp.GetRequiredService<ActionRegistry>(),
                    timeProvider: World.Time));
                World.Configure(siloBuilder);
                siloBuilder.Services.Configure<AiopsOrleansOptions>(o => o.ResumeInterval = TimeSpan.FromMilliseconds(500));
            }
        }
    }

    /// <summary>A gate that waits until released, then allows.</summary>
    internal sealed class HeldGate : IGatePolicy
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "held";

        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public async ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
        {
            _entered.TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
            return GateDecision.Allow("released");
        }
    }

    /// <summary>A grain store whose writes of one state name wait while held.</summary>
    internal sealed class HeldStorage
    {
        private Hold? _hold;

        public IGrainStorage Over(IGrainStorage inner) => new Store(inner, this);

        public Hold Hold(string stateName) => _hold = new Hold(stateName, () => _hold = null);

        private sealed class Store(IGrainStorage inner, HeldStorage owner) : IGrainStorage
        {
            public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

            public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
            {
                if (owner._hold is { } hold && hold.StateName == stateName)
                {
                    await hold.WaitAsync();
                }

                await inner.WriteStateAsync(stateName, grainId, grainState);
            }

            public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
        }
    }

    /// <summary>Writes of one state name held until <see cref="Release"/>.</summary>
    internal sealed class Hold(string stateName, Action onRelease)
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiting;

        public string StateName => stateName;

        /// <summary>Gets how many writes are waiting.</summary>
        public int Waiting => Volatile.Read(ref _waiting);

        public async Task WaitAsync()
        {
            Interlocked.Increment(ref _waiting);
            await _released.Task;
        }

        public void Release()
        {
            onRelease();
            _released.TrySetResult();
        }
    }
}
