using System.Text.RegularExpressions;

namespace Aiops.Lab.Config.Tests;

public sealed class AlertmanagerConfigTests
{
    [Fact]
    public void InhibitRule_LabTargetDown_CanMatchTheWarningsOfTheTargetThatIsDown()
    {
        // alertmanager.yml: LabTargetDown (critical, `up == 0`) inhibits the warnings that share its `equal` labels. `service`
        // never could: LabTargetDown's is a scrape target label (lab-app, aiops-exporter, aiops-receiver), the warnings' the
        // app's own services (honor_labels). `job` can: `up` carries its target's job, and every warning keeps the job of the
        // series it is computed from, which the rule tests (run by promtool in PromtoolTestRules_EveryTestFile_Succeeds) pin
        // down, one of them with LabTargetDown and a warning of the same job firing together.
        var alertmanager = File.ReadAllText(Path.Combine(LabFiles.LabDir, "alertmanager.yml"));
        Assert.Contains("alertname = \"LabTargetDown\"", alertmanager, StringComparison.Ordinal);
        var equal = Regex.Match(alertmanager, @"^\s+equal: \[([^\]]*)\]\s*$", RegexOptions.Multiline);
        Assert.True(equal.Success, "alertmanager.yml: no `equal:` in the inhibition");
        Assert.Equal(["job"], equal.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        var prometheus = File.ReadAllText(Path.Combine(LabFiles.LabDir, "prometheus.yml"));
        var jobs = Regex.Matches(prometheus, @"^\s+- job_name: ([\w-]+)\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(["lab-app", "aiops-exporter", "aiops-receiver"], jobs);

        // Every aggregation of a warning groups by job (the anomaly alerts do not aggregate: they keep the exporter's labels).
        var warnings = PrometheusConfigTests.AlertBlocks(File.ReadAllText(LabFiles.RulesFile)).Where(b => b.Block.Contains("severity: warning", StringComparison.Ordinal)).ToList();
        Assert.Equal(7, warnings.Count);
        foreach (var (name, block) in warnings)
        {
            foreach (Match by in Regex.Matches(block, @"\bby \(([^)]*)\)"))
            {
                Assert.True(by.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries).Contains("job", StringComparer.Ordinal), $"{name}: `{by.Value}` drops job");
            }
        }

        // Every firing case of a warning in the rule tests has the job of a scrape target.
        var tests = string.Join("\n", LabFiles.RuleTestFiles.Select(File.ReadAllText));
        var firing = Regex.Matches(tests, @"alertname: (?<name>\w+)\s*\n\s*exp_alerts:\s*\n\s*- exp_labels: \{(?<labels>[^}]*)\}")
            .Where(m => m.Groups["labels"].Value.Contains("severity: warning", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(warnings.Select(w => w.Name).Order(StringComparer.Ordinal), firing.Select(m => m.Groups["name"].Value).Distinct().Order(StringComparer.Ordinal));
        foreach (var match in firing)
        {
            var job = Regex.Match(match.Groups["labels"].Value, @"\bjob: ([\w-]+)");
            Assert.True(job.Success && jobs.Contains(job.Groups[1].Value), $"{match.Groups["name"].Value}: {{{match.Groups["labels"].Value}}} has no scrape job");
        }
    }

    [Fact]
    public async Task AmtoolCheckConfig_RenderedAlertmanagerYml_Succeeds()
    {
        using var dir = LabFiles.RenderSample();

        var result = await Tool.RunAsync("amtool", ["check-config", Path.Combine(dir.Path, "alertmanager.yml")]);

        Tool.AssertSuccess(result);
        Assert.Contains("1 inhibit rules", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 receivers", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AmtoolCheckConfig_ComposeAlertmanagerYml_Succeeds()
    {
        var result = await Tool.RunAsync("amtool", ["check-config", Path.Combine(LabFiles.LabDir, "compose", "alertmanager.yml")]);

        Tool.AssertSuccess(result);
    }

    [Fact]
    public async Task AmtoolConfigRoutes_LabAlerts_ReachTheAutomationWebhook()
    {
        using var dir = LabFiles.RenderSample();

        var result = await Tool.RunAsync("amtool", ["config", "routes", "test", "--config.file", Path.Combine(dir.Path, "alertmanager.yml"), "alertname=LabHighErrorRate", "service=checkout", "severity=warning"]);

        Tool.AssertSuccess(result);
        Assert.Equal("aiops-automation", result.Stdout.Trim());
    }

    [Fact]
    public void AlertmanagerTemplate_Webhook_SendsResolvedWithBearerTokenAndShortTimers()
    {
        using var dir = LabFiles.RenderSample();
        var text = File.ReadAllText(Path.Combine(dir.Path, "alertmanager.yml"));

        Assert.Contains("url: \"http://127.0.0.1:5092/aiops/alertmanager\"", text, StringComparison.Ordinal);
        Assert.Contains("send_resolved: true", text, StringComparison.Ordinal);
        Assert.Contains("type: Bearer", text, StringComparison.Ordinal);
        Assert.Contains("credentials: \"test-token\"", text, StringComparison.Ordinal);
        Assert.Contains("group_by: [alertname, service]", text, StringComparison.Ordinal);
        Assert.Contains("repeat_interval: 4s", text, StringComparison.Ordinal);
        Assert.Contains("equal: [job]", text, StringComparison.Ordinal);
    }
}
