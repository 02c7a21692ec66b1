using Aiops.Backtest.Nab;

namespace Aiops.Backtest.Tests;

public sealed class ResultKeyMapperTests
{
    private static readonly HashSet<string> Keys = new(StringComparer.Ordinal)
    {
        "artificialNoAnomaly/art_daily_no_noise.csv",
        "realKnownCause/nyc_taxi.csv",
    };

    [Theory]
    [InlineData("artificialNoAnomaly", "numenta_art_daily_no_noise.csv", "numenta", "artificialNoAnomaly/art_daily_no_noise.csv")]
    [InlineData("artificialNoAnomaly", "numenta_art_daily_no_noise.csv", null, "artificialNoAnomaly/art_daily_no_noise.csv")]
    [InlineData("realKnownCause", "nyc_taxi.csv", "ensemble", "realKnownCause/nyc_taxi.csv")]
    [InlineData("realKnownCause", "nyc_taxi.csv", null, "realKnownCause/nyc_taxi.csv")]
    [InlineData("realKnownCause", "my_detector_nyc_taxi.csv", null, "realKnownCause/nyc_taxi.csv")]
    [InlineData("realKnownCause", "windowedGaussian_nyc_taxi.csv", "windowedGaussian", "realKnownCause/nyc_taxi.csv")]
    public void TryMap_KnownFile_FindsLabelKey(string category, string fileName, string? detector, string expected)
    {
        Assert.True(ResultKeyMapper.TryMap(category, fileName, Keys, detector, out var key));
        Assert.Equal(expected, key);
    }

    [Theory]
    [InlineData("realKnownCause", "numenta_standard_scores.csv")]
    [InlineData("otherCategory", "nyc_taxi.csv")]
    [InlineData("realKnownCause", "nyc_taxi.txt")]
    public void TryMap_UnknownFile_ReturnsFalse(string category, string fileName) =>
        Assert.False(ResultKeyMapper.TryMap(category, fileName, Keys, "numenta", out _));
}
