using Aiops.Correlation;
using Aiops.Detection;

namespace Aiops.Rca.Eval.Tests;

public sealed class AdapterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static AnomalyScore Point(int second, double value, bool flagged) =>
        AnomalyScore.Scored(T0.AddSeconds(second), value, flagged ? 0.999 : 0.1, 0, 0.99);

    private static (ScoreSignalAdapter Adapter, List<AnomalySignal> Sent) Make()
    {
        var labels = new Dictionary<string, string> { ["service"] = "cart" };
        return (new ScoreSignalAdapter(new SeriesKey("latency", labels), labels), []);
    }

    private static void Feed(ScoreSignalAdapter adapter, List<AnomalySignal> sent, int from, int to, Func<int, double> value, Func<int, bool> flagged)
    {
        for (var t = from; t < to; t++)
        {
            if (adapter.Observe(Point(t, value(t), flagged(t))) is { } signal)
            {
                sent.Add(signal);
            }
        }
    }

    [Fact]
    public void Observe_StepUp_SentAfterConfirmWithRobustMagnitudeAndDirection()
    {
        var (adapter, sent) = Make();
        Feed(adapter, sent, 0, 100, t => 10 + (t % 5), _ => false); // median 12, IQR 2
        Feed(adapter, sent, 100, 115, _ => 30, _ => true);
        var signal = Assert.Single(sent);
        Assert.Equal(T0.AddSeconds(100), signal.Onset);
        Assert.Equal(Direction.Up, signal.Direction);
        Assert.Equal((30 - 12) / 2.0, signal.Magnitude, 9);
        Assert.EndsWith("#1", signal.Fingerprint, StringComparison.Ordinal);
    }

    [Fact]
    public void Observe_NewOnsetAfterQuiet_NewFingerprintWithItsOwnOnset()
    {
        var (adapter, sent) = Make();
        Feed(adapter, sent, 0, 100, t => 10 + (t % 5), _ => false);
        Feed(adapter, sent, 100, 112, _ => 2, _ => true);
        Feed(adapter, sent, 112, 200, t => 10 + (t % 5), _ => false);
        Feed(adapter, sent, 200, 212, _ => 40, _ => true);
        Assert.Equal(2, sent.Count);
        Assert.Equal(Direction.Down, sent[0].Direction);
        Assert.Equal(T0.AddSeconds(200), sent[1].Onset);
        Assert.NotEqual(sent[0].Fingerprint, sent[1].Fingerprint);
        Assert.Equal(14, sent[1].Magnitude, 9); // (40 − 12) / 2: the occurrence's values never entered the baseline
    }

    [Fact]
    public void Observe_GrowingDeviation_ResentUnderNewFingerprintWhenDoubled()
    {
        var (adapter, sent) = Make();
        Feed(adapter, sent, 0, 100, t => 10 + (t % 5), _ => false);
        Feed(adapter, sent, 100, 200, t => 20 + (t - 100), _ => true); // a leak
        Assert.True(sent.Count >= 2);
        Assert.All(sent, s => Assert.Equal(T0.AddSeconds(100), s.Onset));
        Assert.True(sent.Select(s => s.Magnitude).Max() >= 4 * sent[0].Magnitude);
    }
}
