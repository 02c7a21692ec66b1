using Aiops.Lab.App;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Lab.App.Tests;

public sealed class CapacityModelTests
{
    private static readonly CapacityOptions Defaults = new(CapacityRps: 60, BurstSeconds: 2, MaxBacklogSeconds: 4, ResumeBacklogSeconds: 2, MaxQueueDelaySeconds: 5);

    /// <summary>Drives <paramref name="rps"/> evenly spaced arrivals for <paramref name="seconds"/>; returns (time offset, admission).</summary>
    private static List<(double At, Admission Admission)> Drive(CapacityModel model, FakeTimeProvider time, double rps, double seconds, double startAt = 0)
    {
        var result = new List<(double, Admission)>();
        var step = TimeSpan.FromSeconds(1 / rps);
        var count = (int)Math.Round(rps * seconds);
        for (var i = 0; i < count; i++)
        {
            time.Advance(step);
            result.Add((startAt + ((i + 1) / rps), model.Admit()));
        }

        return result;
    }

    [Fact]
    public void Admit_BaselineBelowCapacity_NeverQueuesOrSheds()
    {
        var time = new FakeTimeProvider();
        var model = new CapacityModel(Defaults, time);

        var admissions = Drive(model, time, rps: 30, seconds: 120);

        Assert.Equal(3600, admissions.Count);
        Assert.All(admissions, a => Assert.Equal(new Admission(false, TimeSpan.Zero), a.Admission));
        Assert.Equal(0, model.Backlog);
    }

    [Fact]
    public void Admit_SurgeToTwiceCapacity_TrafficThenLatencyThenShedding()
    {
        var time = new FakeTimeProvider();
        var model = new CapacityModel(Defaults, time);
        Drive(model, time, rps: 30, seconds: 30);

        var surge = Drive(model, time, rps: 120, seconds: 20);

        // The burst tokens (2 s of capacity, spent at 60/s net) hide the surge for ~2 s; then the backlog grows 60/s
        // (latency +1 s per second); at 4 s of backlog (240 requests, ~4 s later) requests are shed.
        var firstQueued = surge.First(a => a.Admission.QueueDelay > TimeSpan.Zero).At;
        var firstSlow = surge.First(a => a.Admission.QueueDelay >= TimeSpan.FromMilliseconds(250)).At;
        var firstShed = surge.First(a => a.Admission.Shed).At;
        Assert.InRange(firstQueued, 1.9, 2.1);
        Assert.InRange(firstSlow, 2.1, 2.4);
        Assert.InRange(firstShed, 5.8, 6.2);
        Assert.True(firstQueued < firstSlow && firstSlow < firstShed);
        Assert.DoesNotContain(surge, a => a.At < firstQueued && a.Admission.Shed);
    }

    [Fact]
    public void Admit_SustainedSurge_ShedsAboutTheExcessAndServesCapacity()
    {
        var time = new FakeTimeProvider();
        var model = new CapacityModel(Defaults, time);

        var surge = Drive(model, time, rps: 120, seconds: 60);

        // After the first 10 s, admitted requests average the capacity (60/s): about half of 120/s are shed.
        var steady = surge.Where(a => a.At > 10).ToList();
        var admittedPerSecond = steady.Count(a => !a.Admission.Shed) / 50.0;
        Assert.InRange(admittedPerSecond, 55, 65);
        Assert.All(steady.Where(a => !a.Admission.Shed), a => Assert.True(a.Admission.QueueDelay <= TimeSpan.FromSeconds(4.05)));
    }

    [Fact]
    public void Admit_WhileShedding_ResumesOnlyBelowResumeBacklog()
    {
        var time = new FakeTimeProvider();
        var model = new CapacityModel(Defaults, time);
        var surge = Drive(model, time, rps: 120, seconds: 6.5);

        // Shedding began at ~6 s with 240 queued; 0.5 s of draining (60/s, nothing admitted) leaves ~210.
        Assert.True(model.Shedding);
        Assert.InRange(model.Backlog, 200, 220);

        // 1 s without arrivals: ~150 queued, still above the resume level (2 s = 120): still shedding.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(model.Shedding);
        Assert.True(model.Admit().Shed);

        // 1 s more: ~90 queued, below the resume level: admitted again, behind the backlog.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(model.Shedding);
        var admitted = model.Admit();
        Assert.False(admitted.Shed);
        Assert.InRange(admitted.QueueDelay.TotalSeconds, 1.4, 1.6);
        Assert.NotEmpty(surge);
    }

    [Fact]
    public void Admit_AfterSurgeEnds_LatencyRecoversAndTokensRefill()
    {
        var time = new FakeTimeProvider();
        var model = new CapacityModel(Defaults, time);
        Drive(model, time, rps: 120, seconds: 20);

        var after = Drive(model, time, rps: 30, seconds: 30);

        // Backlog <= 240 drains at 60 - 30 = 30/s: gone within ~8 s, then no queueing and no shedding again.
        Assert.Contains(after, a => a.Admission.QueueDelay > TimeSpan.Zero);
        Assert.All(after.Where(a => a.At > 9), a => Assert.Equal(new Admission(false, TimeSpan.Zero), a.Admission));
        Assert.Equal(0, model.Backlog);
        Assert.InRange(model.Tokens, 119, 120);
    }

    [Fact]
    public void Admit_QueueDelay_IsCappedAtMaxQueueDelay()
    {
        var time = new FakeTimeProvider();
        var model = new CapacityModel(Defaults with { MaxQueueDelaySeconds = 0.5 }, time);

        var surge = Drive(model, time, rps: 120, seconds: 10);

        var max = surge.Max(a => a.Admission.QueueDelay);
        Assert.Equal(TimeSpan.FromSeconds(0.5), max);
    }

    [Fact]
    public void Admit_BurstWithinTokens_IsServedWithoutDelay()
    {
        var time = new FakeTimeProvider();
        var model = new CapacityModel(Defaults, time);

        var burst = Enumerable.Range(0, 121).Select(_ => model.Admit()).ToList();

        Assert.All(burst.Take(120), a => Assert.Equal(TimeSpan.Zero, a.QueueDelay));
        Assert.Equal(TimeSpan.Zero, burst[120].QueueDelay); // joins an empty backlog: waits for nobody
        Assert.True(model.Admit().QueueDelay > TimeSpan.Zero);
    }

    [Theory]
    [InlineData(0, 2, 4, 2, 1)]
    [InlineData(60, -1, 4, 2, 1)]
    [InlineData(60, 2, 0, 0, 1)]
    [InlineData(60, 2, 4, 5, 1)]
    [InlineData(60, 2, 4, 2, -1)]
    public void Constructor_InvalidOptions_Throws(double capacity, double burst, double maxBacklog, double resume, double maxDelay)
    {
        var options = new CapacityOptions(capacity, burst, maxBacklog, resume, maxDelay);

        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new CapacityModel(options, new FakeTimeProvider()));
    }
}
