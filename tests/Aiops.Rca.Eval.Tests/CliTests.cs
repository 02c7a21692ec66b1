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
    }

    [Theory]
    [InlineData("core", "signals core AnomalySignalBridge (defaults)")]
    [InlineData("legacy", "signals legacy adapter")]
    [InlineData("core-unit-floor", "signals core AnomalySignalBridge, unit scale floor (diagnostic)")]
    public void Run_AdapterOption_SelectsSignalPath(string adapter, string expected)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(RcaCli.Success, RcaCli.Run(["--topology", "online-boutique", "--cases", "1", "--controls", "0", "--adapter", adapter], stdout, stderr));
        Assert.Contains(expected, stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnknownAdapter_UsageError()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(RcaCli.UsageError, RcaCli.Run(["--adapter", "other"], stdout, stderr));
    }
}
