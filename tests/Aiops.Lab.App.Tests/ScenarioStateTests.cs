using Aiops.Lab.App;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Lab.App.Tests;

public sealed class ScenarioStateTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly LabMetrics _metrics = new();
    private readonly ScenarioState _scenarios;

    public ScenarioStateTests() => _scenarios = new ScenarioState(new LabOptions(), _metrics, _time);

    [Fact]
    public async Task Start_BadDeploy_PublishesOnlyTheBadVersion()
    {
        _scenarios.Start(ScenarioNames.BadDeploy, TimeSpan.FromSeconds(30));

        var text = await MetricsText.ExportAsync(_metrics.Registry);
        Assert.Equal(1, MetricsText.Value(text, "lab_build_info", ("service", "checkout"), ("version", "1.4.3-bad")));
        Assert.Null(MetricsText.Value(text, "lab_build_info", ("service", "checkout"), ("version", "1.4.2")));
        Assert.Equal("1.4.3-bad", _scenarios.Snapshot().Version);
    }

    [Fact]
    public async Task Refresh_AfterDuration_EndsScenarioAndRevertsVersion()
    {
        _scenarios.Start(ScenarioNames.BadDeploy, TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(ScenarioNames.BadDeploy, _scenarios.Active);
        Assert.Equal(1, _scenarios.Snapshot().RemainingSeconds, 3);

        _time.Advance(TimeSpan.FromSeconds(1));
        _scenarios.Refresh();

        var text = await MetricsText.ExportAsync(_metrics.Registry);
        Assert.Equal(1, MetricsText.Value(text, "lab_build_info", ("service", "checkout"), ("version", "1.4.2")));
        Assert.Null(MetricsText.Value(text, "lab_build_info", ("service", "checkout"), ("version", "1.4.3-bad")));
        Assert.Equal(ScenarioNames.None, _scenarios.Active);
    }

    [Fact]
    public void Start_Reset_EndsTheActiveScenario()
    {
        _scenarios.Start(ScenarioNames.Latency, TimeSpan.FromSeconds(30));

        var snapshot = _scenarios.Start(ScenarioNames.Reset, TimeSpan.FromSeconds(30));

        Assert.Equal(ScenarioNames.None, snapshot.Name);
        Assert.Null(snapshot.EndsAt);
        Assert.Equal(ScenarioNames.None, _scenarios.Active);
    }

    [Fact]
    public void Start_AnotherScenario_ReplacesTheActiveOne()
    {
        _scenarios.Start(ScenarioNames.BadDeploy, TimeSpan.FromSeconds(30));

        var snapshot = _scenarios.Start(ScenarioNames.Errors, TimeSpan.FromSeconds(10));

        Assert.Equal(ScenarioNames.Errors, snapshot.Name);
        Assert.Equal("1.4.2", snapshot.Version);
        Assert.Equal(_time.GetUtcNow().AddSeconds(10), snapshot.EndsAt);
    }

    [Theory]
    [InlineData(ScenarioNames.Errors, null, 0.3)]
    [InlineData(ScenarioNames.Errors, 0.8, 0.8)]
    [InlineData(ScenarioNames.BadDeploy, null, 0.4)]
    [InlineData(ScenarioNames.Latency, 0.5, null)]
    public void Start_WithOrWithoutRate_UsesRateOrDefault(string name, double? rate, double? expected)
    {
        var snapshot = _scenarios.Start(name, TimeSpan.FromSeconds(10), rate);

        Assert.Equal(expected, snapshot.Rate);
        Assert.Equal(expected, _scenarios.Rate);
    }

    [Fact]
    public void Start_UnknownName_Throws()
    {
        Assert.Throws<ArgumentException>(() => _scenarios.Start("meteor", TimeSpan.FromSeconds(1)));
    }
}
