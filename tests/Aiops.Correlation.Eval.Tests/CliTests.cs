using System.Text.Json;

namespace Aiops.Correlation.Eval.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aiops-eval-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Run_OneDifficulty_PrintsRowAndWritesJson()
    {
        var json = Path.Combine(_directory, "out", "eval.json");

        var (exitCode, stdout, stderr) = Run("--difficulty", "easy", "--scenarios", "2", "--seed", "3", "--json", json);

        Assert.True(exitCode == EvalCli.Success, stderr);
        Assert.Contains("precision", stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^easy\s+2\s+\d+\s+\d+\s+\d+\s+[\d.]+x\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+\d+\s+\d+\s+[\d.]+x\s*$", stdout);
        Assert.DoesNotContain("hard", stdout, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var easy = Assert.Single(document.RootElement.GetProperty("difficulties").EnumerateArray());
        Assert.Equal("easy", easy.GetProperty("difficulty").GetString());
        Assert.InRange(easy.GetProperty("precision").GetDouble(), 0, 1);
        Assert.Equal(2, easy.GetProperty("scenarioResults").GetArrayLength());
    }

    [Fact]
    public void Run_Details_PrintsAnalysis()
    {
        var (exitCode, stdout, stderr) = Run("--difficulty", "medium", "--scenarios", "1", "--details");

        Assert.True(exitCode == EvalCli.Success, stderr);
        Assert.Contains("=== medium: analysis ===", stdout, StringComparison.Ordinal);
        Assert.Contains("wrong merges:", stdout, StringComparison.Ordinal);
        Assert.Contains("AC@1 misses:", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--difficulty", "extreme")]
    [InlineData("--difficulty", "7")]
    [InlineData("--scenarios", "0")]
    [InlineData("--seed", "x")]
    [InlineData("--json")]
    [InlineData("--bogus")]
    public void Run_BadArguments_UsageError(params string[] args)
    {
        var (exitCode, _, stderr) = Run(args);

        Assert.Equal(EvalCli.UsageError, exitCode);
        Assert.Contains("error:", stderr, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = EvalCli.Run(args, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
