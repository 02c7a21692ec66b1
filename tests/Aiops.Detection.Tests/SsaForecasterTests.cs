using Aiops.Detection.Internal;

namespace Aiops.Detection.Tests;

public sealed class SsaForecasterTests
{
    [Fact]
    public void Predict_PureSinePeriod24_ForecastsWithTinyError()
    {
        static double Sine(int t) => 3 * Math.Sin(2 * Math.PI * t / 24);
        var forecaster = Trained(Sine, windowSize: 24, trainingSize: 240);

        var worst = MaxError(forecaster, Sine, from: 240, count: 500);

        Assert.Equal(3, forecaster.Rank); // the level and the sine's two components
        Assert.True(worst < 1e-8, $"worst error {worst}");
    }

    [Theory]
    [InlineData(100.0, 1e-8)]
    [InlineData(1e6, 1e-6)]
    public void Predict_SineAroundALevel_ForecastsTheSine(double level, double tolerance)
    {
        double Series(int t) => level + Math.Sin(2 * Math.PI * t / 24);
        var forecaster = Trained(Series, windowSize: 24, trainingSize: 240);

        var worst = MaxError(forecaster, Series, from: 240, count: 200);

        Assert.Equal(3, forecaster.Rank);
        Assert.True(worst < tolerance, $"worst error {worst}");
    }

    [Fact]
    public void Predict_LinearTrend_ForecastsTheTrend()
    {
        static double Trend(int t) => 3 + (0.5 * t);
        var forecaster = Trained(Trend, windowSize: 12, trainingSize: 120);

        var worst = MaxError(forecaster, Trend, from: 120, count: 200);

        Assert.Equal(2, forecaster.Rank);
        Assert.True(worst < 1e-8, $"worst error {worst}");
    }

    [Theory]
    [InlineData(7.25)]
    [InlineData(0.0)]
    [InlineData(-1e6)]
    public void Predict_ConstantSeries_ReturnsTheConstant(double constant)
    {
        var forecaster = Trained(_ => constant, windowSize: 24, trainingSize: 240);

        Assert.Equal(1, forecaster.Rank);
        for (var i = 0; i < 50; i++)
        {
            var forecast = forecaster.Predict();
            Assert.False(double.IsNaN(forecast));
            Assert.Equal(constant, forecast, Math.Max(1e-9, Math.Abs(constant) * 1e-12));
            forecaster.Observe(constant);
        }
    }

    [Fact]
    public void Predict_AfterLevelShift_ErrorJumps()
    {
        var random = new Random(3);
        var series = new double[400];
        for (var t = 0; t < series.Length; t++)
        {
            series[t] = 10 + Math.Sin(2 * Math.PI * t / 24) + (0.05 * ((random.NextDouble() * 2) - 1)) + (t >= 340 ? 3 : 0);
        }

        var forecaster = new SsaForecaster(24, 240);
        forecaster.Train(series.AsSpan(0, 240));
        var errors = new double[series.Length];
        for (var t = 240; t < series.Length; t++)
        {
            errors[t] = Math.Abs(series[t] - forecaster.Predict());
            forecaster.Observe(series[t]);
        }

        var before = errors[300..340].Average();
        var after = errors[340..345].Average();
        var settled = errors[370..400].Average();
        Assert.True(before < 0.1, $"error before the shift {before}");
        Assert.True(after > 10 * before, $"error after the shift {after} vs before {before}");
        Assert.True(settled < 2 * before, $"error once the window holds only the new level {settled} vs before {before}");
    }

    [Fact]
    public void Predict_NoisySine_ErrorStaysNearTheNoiseLevel()
    {
        var random = new Random(17);
        double Series(int t) => Math.Sin(2 * Math.PI * t / 24) + (0.1 * Gaussian(random));
        var forecaster = Trained(Series, windowSize: 24, trainingSize: 240);

        double total = 0;
        for (var t = 240; t < 1240; t++)
        {
            var x = Series(t);
            total += Math.Abs(x - forecaster.Predict());
            forecaster.Observe(x);
        }

        // E|ε| = 0.0798 for ε ~ N(0, 0.1²); the recurrent formula adds only a little noise of its own.
        Assert.True(total / 1000 < 0.095, $"mean absolute error {total / 1000}");
    }

    [Fact]
    public void Train_FixedRank_UsesThatRank()
    {
        var forecaster = new SsaForecaster(24, 240, rank: 4);

        forecaster.Train(Enumerable.Range(0, 240).Select(t => Math.Sin(t * 0.3) + (0.2 * Math.Cos(t * 1.1)) + (0.01 * (t % 7))).ToArray());

        Assert.Equal(4, forecaster.Rank);
    }

    [Fact]
    public void Predict_BeforeTraining_ReturnsNaN()
    {
        var forecaster = new SsaForecaster(24, 240);
        forecaster.Observe(1);

        Assert.False(forecaster.IsTrained);
        Assert.True(double.IsNaN(forecaster.Predict()));
    }

    [Fact]
    public void Train_HistoryShorterThanTrainingSize_Throws()
    {
        var forecaster = new SsaForecaster(24, 240);

        Assert.Throws<ArgumentException>(() => forecaster.Train(new double[239]));
        Assert.False(forecaster.IsTrained);
    }

    [Fact]
    public void Constructor_TrainingSizeBelowTwoWindows_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SsaForecaster(24, 47));
    }

    [Fact]
    public void PredictAndObserve_SteadyState_AllocateNothing()
    {
        var forecaster = Trained(t => Math.Sin(t * 0.3), windowSize: 24, trainingSize: 240);
        double sink = 0;
        for (var i = 0; i < 1_000; i++)
        {
            sink += forecaster.Predict();
            forecaster.Observe(Math.Sin(i * 0.3));
        }

        Action<int> step = i =>
        {
            sink += forecaster.Predict();
            forecaster.Observe(Math.Sin(i * 0.3));
        };

        Assert.Equal(0, Allocations.During(0, 10_000, step));
        Assert.False(double.IsNaN(sink));
    }

    [Fact]
    public void StateSizeBytes_LargerWindow_IsLarger()
    {
        Assert.True(new SsaForecaster(96, 960).StateSizeBytes > new SsaForecaster(24, 240).StateSizeBytes + (3 * 72 * sizeof(double)) - 1);
    }

    private static SsaForecaster Trained(Func<int, double> series, int windowSize, int trainingSize)
    {
        var forecaster = new SsaForecaster(windowSize, trainingSize);
        forecaster.Train(Enumerable.Range(0, trainingSize).Select(series).ToArray());
        Assert.True(forecaster.IsTrained);
        return forecaster;
    }

    private static double MaxError(SsaForecaster forecaster, Func<int, double> series, int from, int count)
    {
        double worst = 0;
        for (var t = from; t < from + count; t++)
        {
            var x = series(t);
            worst = Math.Max(worst, Math.Abs(x - forecaster.Predict()));
            forecaster.Observe(x);
        }

        return worst;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
