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

    [Fact]
    public void Run_RemovedAdapterOption_UsageError()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(RcaCli.UsageError, RcaCli.Run(["--adapter", "core"], stdout, stderr));
        Assert.Contains("unknown or invalid argument '--adapter'", stderr.ToString(), StringComparison.Ordinal);
    }
}
