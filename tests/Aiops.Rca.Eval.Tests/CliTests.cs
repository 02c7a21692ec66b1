namespace Aiops.Rca.Eval.Tests;

public sealed class CliTests
{
    [Fact]
    public void Run_UnknownArgument_UsageError()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(RcaCli.UsageError, RcaCli.Run(["--cases", "zero"], stdout, stderr));
        Assert.Contains("usage:", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_OneCasePerFault_PrintsEveryFaultOverallAndControls()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(RcaCli.Success, RcaCli.Run(["--topology", "online-boutique", "--cases", "1", "--controls", "1"], stdout, stderr));
        var text = stdout.ToString();
        foreach (var fault in Benchmark.FaultKinds)
        {
            Assert.Contains($"| {fault} | 1 |", text, StringComparison.Ordinal);
        }

        Assert.Contains("| **overall** | 6 |", text, StringComparison.Ordinal);
        Assert.Contains("Controls that opened no episode: ", text, StringComparison.Ordinal);
        Assert.Contains("Controls that paged nothing (no episode fired; none pending at the end with an anomaly not ended): ", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--threshold", "0.9")] // the ensemble flags by rate: a per-point threshold would change nothing
    [InlineData("--false-alarms-per-week", "0")]
    [InlineData("--false-alarms-per-week", "many")]
    public void Run_NoOrInvalidSensitivity_UsageError(string option, string value)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(RcaCli.UsageError, RcaCli.Run([option, value], stdout, stderr));
        Assert.Contains($"unknown or invalid argument '{option}'", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DetectorOptions_SensitivitySet_ReachesTheEnsembleElseDefaults()
    {
        Assert.Equal(50, AiopsRunner.DetectorOptions(new RunSettings(FalseAlarmsPerWeek: 50))?.FalseAlarmsPerWeek);
        Assert.Null(AiopsRunner.DetectorOptions(new RunSettings()));
    }

    [Fact]
    public void Run_RemovedAdapterOption_UsageError()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(RcaCli.UsageError, RcaCli.Run(["--adapter", "core"], stdout, stderr));
        Assert.Contains("unknown or invalid argument '--adapter'", stderr.ToString(), StringComparison.Ordinal);
    }
}
