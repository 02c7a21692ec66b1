using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Time.Testing;
using static Aiops.Gates.Tests.Engine.Fakes;

namespace Aiops.Gates.Tests.Engine;

public sealed class ExecutionHistoryTests
{
    private readonly FakeTimeProvider _time = new(T0);

    [Fact]
    public void CountSince_ByActionAndTarget()
    {
        var history = new ExecutionHistory(timeProvider: _time);
        history.RecordPast("restart", ["a", "b"], T0);
        history.RecordPast("restart", ["b"], T0.AddMinutes(5));
        history.RecordPast("scale-out", ["a"], T0.AddMinutes(6));

        Assert.Equal(2, history.CountSince("restart", T0));
        Assert.Equal(1, history.CountSince("restart", T0.AddMinutes(1)));
        Assert.Equal(1, history.CountSince("restart", T0, "a"));
        Assert.Equal(2, history.CountSince("restart", T0, "b"));
        Assert.Equal(0, history.CountSince("restart", T0, "c"));
        Assert.Equal(0, history.CountSince("rollback", T0));
    }

    [Fact]
    public void LastStart_ByActionAndTarget_OutOfOrderInsertsSorted()
    {
        var history = new ExecutionHistory(timeProvider: _time);
        history.RecordPast("restart", ["b"], T0.AddMinutes(5));
        history.RecordPast("restart", ["a"], T0);

        Assert.Equal(T0.AddMinutes(5), history.LastStart("restart"));
        Assert.Equal(T0, history.LastStart("restart", "a"));
        Assert.Null(history.LastStart("restart", "c"));
        Assert.Equal(1, history.CountSince("restart", T0.AddMinutes(1)));
    }

    [Fact]
    public void RecordStartAndFinish_TrackRunning()
    {
        var history = new ExecutionHistory(timeProvider: _time);

        history.RecordStart("restart", ["a"], T0);
        history.RecordStart("restart", ["b"], T0);
        Assert.Equal(2, history.Running);
        history.RecordFinish();
        history.RecordFinish();
        history.RecordFinish();

        Assert.Equal(0, history.Running);
        Assert.Equal(2, history.CountSince("restart", T0));
    }

    [Fact]
    public void Starts_OlderThanRetention_Forgotten()
    {
        var history = new ExecutionHistory(new ExecutionHistoryOptions { Retention = TimeSpan.FromHours(1) }, _time);
        history.RecordPast("restart", ["a"], T0);
        _time.Advance(TimeSpan.FromHours(2));
        history.RecordPast("restart", ["a"], _time.GetUtcNow());

        Assert.Equal(1, history.CountSince("restart", DateTimeOffset.MinValue));
        Assert.Equal(_time.GetUtcNow(), history.LastStart("restart", "a"));
    }

    [Fact]
    public void LastStart_OlderThanRetention_Null()
    {
        var history = new ExecutionHistory(new ExecutionHistoryOptions { Retention = TimeSpan.FromHours(1) }, _time);
        history.RecordPast("restart", ["a"], T0);
        _time.Advance(TimeSpan.FromHours(2));

        Assert.Null(history.LastStart("restart"));
    }

    [Fact]
    public void Starts_BeyondMaxPerAction_OldestDropped()
    {
        var history = new ExecutionHistory(new ExecutionHistoryOptions { MaxStartsPerAction = 3 }, _time);
        for (var i = 0; i < 5; i++)
        {
            history.RecordPast("restart", ["a"], T0.AddSeconds(i));
        }

        Assert.Equal(3, history.CountSince("restart", DateTimeOffset.MinValue));
        Assert.Equal(3, history.CountSince("restart", T0.AddSeconds(2)));
        Assert.Equal(2, history.CountSince("restart", T0.AddSeconds(3)));
    }

    [Fact]
    public void Options_OutOfRange_ValidationNamesTheProperty()
    {
        var ex = Assert.Throws<ValidationException>(() => new ExecutionHistory(new ExecutionHistoryOptions { MaxStartsPerAction = 0 }));

        Assert.Contains("ExecutionHistoryOptions.MaxStartsPerAction", ex.Message, StringComparison.Ordinal);
    }
}
