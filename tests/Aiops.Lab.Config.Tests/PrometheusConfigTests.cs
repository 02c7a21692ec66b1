using System.Text.RegularExpressions;

namespace Aiops.Lab.Config.Tests;

public sealed partial class PrometheusConfigTests
{
    private static int AlertCount => AlertName().Matches(File.ReadAllText(LabFiles.RulesFile)).Count;

    [Fact]
    public async Task PromtoolCheckConfig_RenderedPrometheusYml_Succeeds()
    {
        using var dir = LabFiles.RenderSample();

        var result = await Tool.RunAsync("promtool", ["check", "config", Path.Combine(dir.Path, "prometheus.yml")]);

        Tool.AssertSuccess(result);
        Assert.Contains("1 rule files found", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{AlertCount} rules found", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromtoolCheckRules_LabAlerts_Succeeds()
    {
        var result = await Tool.RunAsync("promtool", ["check", "rules", LabFiles.RulesFile]);

        Tool.AssertSuccess(result);
        Assert.Equal(12, AlertCount);
        Assert.Contains($"{AlertCount} rules found", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromtoolTestRules_EveryTestFile_Succeeds()
    {
        Assert.NotEmpty(LabFiles.RuleTestFiles);

        var result = await Tool.RunAsync("promtool", ["test", "rules", .. LabFiles.RuleTestFiles]);

        Tool.AssertSuccess(result);
        Assert.Equal(LabFiles.RuleTestFiles.Count, Regex.Matches(result.Stdout, "SUCCESS").Count);
    }

    [Theory]
    [InlineData("> 54", "> 500")]                         // LabHighRequestRate and the surge incident
    [InlineData("> 0.25", "> 2.5")]                       // LabHighLatency
    [InlineData("severity: critical", "severity: page")]  // LabTargetDown and the incidents
    public async Task PromtoolTestRules_MutatedRules_Fail(string original, string mutated)
    {
        using var dir = new TempDir();
        var rules = Path.Combine(dir.Path, "rules");
        Directory.CreateDirectory(Path.Combine(rules, "tests"));
        var text = File.ReadAllText(LabFiles.RulesFile);
        Assert.Contains(original, text, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(rules, "lab-alerts.yml"), text.Replace(original, mutated, StringComparison.Ordinal));
        var tests = LabFiles.RuleTestFiles.Select(f => Path.Combine(rules, "tests", Path.GetFileName(f))).ToArray();
        foreach (var file in LabFiles.RuleTestFiles)
        {
            File.Copy(file, Path.Combine(rules, "tests", Path.GetFileName(file)));
        }

        var result = await Tool.RunAsync("promtool", ["test", "rules", .. tests]);

        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("FAILED", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_EveryChangeAlert_HasAKnownChangeKindAndService()
    {
        var changes = AlertBlocks(File.ReadAllText(LabFiles.RulesFile)).Where(b => b.Block.Contains("aiops_change:", StringComparison.Ordinal)).ToList();

        var (name, block) = Assert.Single(changes);
        Assert.Equal("LabDeploy", name);
        Assert.Matches(@"aiops_change: (deploy|config|scaling)\n", block);
        Assert.Matches(@"lab_kind: change\n", block);
        Assert.Contains("on (service)", block, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_EverySymptomAlert_HasServiceSeverityAndSignalClass()
    {
        var blocks = AlertBlocks(File.ReadAllText(LabFiles.RulesFile));

        Assert.Equal(AlertCount, blocks.Count);
        foreach (var (name, block) in blocks.Where(b => !b.Block.Contains("aiops_change:", StringComparison.Ordinal)))
        {
            Assert.Matches(@"severity: (warning|critical)\n", block);
            Assert.Matches(@"aiops_signal_class: (traffic|errors|latency)\n", block);
            Assert.Matches(@"lab_kind: (symptom|anomaly|incident)\n", block);
            Assert.Matches(@"for: \ds\n", block);
            // `service` survives aggregation only when the expression keeps it (or the series carry it as a target label).
            Assert.True(block.Contains("by (service", StringComparison.Ordinal) || block.Contains("by (job, service", StringComparison.Ordinal) || block.Contains("aiops_anomaly_active{", StringComparison.Ordinal) || block.Contains("up == 0", StringComparison.Ordinal), name);
        }
    }

    [Fact]
    public void RuleTests_EveryAlert_HasAFiringAndAQuietCase()
    {
        var names = AlertBlocks(File.ReadAllText(LabFiles.RulesFile)).Select(b => b.Name).ToList();
        var firing = new HashSet<string>(StringComparer.Ordinal);
        var quiet = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in LabFiles.RuleTestFiles)
        {
            foreach (Match match in AlertTest().Matches(File.ReadAllText(file)))
            {
                (match.Groups["empty"].Success ? quiet : firing).Add(match.Groups["name"].Value);
            }
        }

        Assert.Empty(names.Except(firing));
        Assert.Empty(names.Except(quiet));
        Assert.Empty(firing.Union(quiet).Except(names));
    }

    [Fact]
    public void Templates_RenderedWithSampleValues_LeaveNoPlaceholder()
    {
        var prometheus = File.ReadAllText(Path.Combine(LabFiles.LabDir, "prometheus.yml"));
        var alertmanager = File.ReadAllText(Path.Combine(LabFiles.LabDir, "alertmanager.yml"));

        Assert.Equal(["RULES_DIR", "ALERTMANAGER_TARGET", "APP_TARGET", "EXPORTER_TARGET", "RECEIVER_TARGET"], LabFiles.Placeholders(prometheus));
        Assert.Equal(["RECEIVER_URL", "RECEIVER_TOKEN"], LabFiles.Placeholders(alertmanager));
        using var dir = LabFiles.RenderSample();
        Assert.Empty(LabFiles.Placeholders(File.ReadAllText(Path.Combine(dir.Path, "prometheus.yml"))));
        Assert.Empty(LabFiles.Placeholders(File.ReadAllText(Path.Combine(dir.Path, "alertmanager.yml"))));
    }

    [Theory]
    [InlineData("prometheus.yml")]
    [InlineData("alertmanager.yml")]
    public void ComposeConfig_EqualsTemplateRenderedWithServiceNames(string name)
    {
        var expected = $"# GENERATED by samples/lab/render.sh --compose from samples/lab/{name} (docker compose service names): edit the template, then rerun.\n"
            + LabFiles.Render(File.ReadAllText(Path.Combine(LabFiles.LabDir, name)), LabFiles.ComposeValues);

        var actual = File.ReadAllText(Path.Combine(LabFiles.LabDir, "compose", name));

        Assert.True(expected == actual, $"samples/lab/compose/{name} is stale: run samples/lab/render.sh --compose");
    }

    /// <summary>(alert name, text of its rule) for every <c>- alert:</c> of a rules file.</summary>
    internal static List<(string Name, string Block)> AlertBlocks(string rules)
    {
        var matches = AlertName().Matches(rules);
        return matches.Select((m, i) => (m.Groups[1].Value, rules[m.Index..(i + 1 < matches.Count ? matches[i + 1].Index : rules.Length)])).ToList();
    }

    [GeneratedRegex(@"^\s*- alert: (\w+)", RegexOptions.Multiline)]
    private static partial Regex AlertName();

    [GeneratedRegex(@"alertname: (?<name>\w+)\s*\n\s*exp_alerts:(?<empty> \[\])?")]
    private static partial Regex AlertTest();
}
