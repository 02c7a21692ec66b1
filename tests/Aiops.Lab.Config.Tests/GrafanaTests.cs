using System.Text;
using System.Text.Json;

namespace Aiops.Lab.Config.Tests;

public sealed class GrafanaTests
{
    private static readonly string GrafanaDir = Path.Combine(LabFiles.LabDir, "grafana");

    private static List<string> Expressions(JsonElement dashboard)
    {
        var exprs = new List<string>();
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            exprs.AddRange(panel.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!));
        }

        exprs.AddRange(dashboard.GetProperty("annotations").GetProperty("list").EnumerateArray()
            .Where(a => a.TryGetProperty("expr", out _)).Select(a => a.GetProperty("expr").GetString()!));
        return exprs;
    }

    private static JsonElement Dashboard() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(GrafanaDir, "dashboards", "aiops-lab.json"))).RootElement;

    [Theory]
    [InlineData("aiops_anomaly_score")]
    [InlineData("aiops_anomaly_expected")]
    [InlineData("aiops_anomaly_lower")]
    [InlineData("aiops_anomaly_upper")]
    [InlineData("aiops_episodes")]
    [InlineData("ALERTS{")]
    [InlineData("aiops_gate_decisions_total")]
    [InlineData("aiops_actions_executed_total")]
    [InlineData("aiops_pipeline_lag_seconds")]
    public void Dashboard_Panels_ShowTheLabSignal(string metric)
    {
        var exprs = Expressions(Dashboard());

        Assert.Contains(exprs, e => e.Contains(metric, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dashboard_EveryExpression_IsValidPromQl()
    {
        var exprs = Expressions(Dashboard());
        var rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (var i = 0; i < exprs.Count; i++)
        {
            // Grafana's variables become a match-all regex for the check.
            rules.Append("      - record: dashboard:expr_").Append(i).Append('\n')
                 .Append("        expr: ").Append(JsonSerializer.Serialize(exprs[i].Replace("$metric", ".*", StringComparison.Ordinal))).Append('\n');
        }

        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "dashboard-rules.yml");
        await File.WriteAllTextAsync(file, rules.ToString());

        var result = await Tool.RunAsync("promtool", ["check", "rules", file]);

        Tool.AssertSuccess(result);
        Assert.Contains($"{exprs.Count} rules found", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Provisioning_DatasourceAndDashboardPath_MatchTheDashboardAndCompose()
    {
        var datasource = File.ReadAllText(Path.Combine(GrafanaDir, "provisioning", "datasources", "prometheus.yml"));
        var provider = File.ReadAllText(Path.Combine(GrafanaDir, "provisioning", "dashboards", "aiops-lab.yml"));
        var compose = File.ReadAllText(Path.Combine(LabFiles.RepoRoot, "docker-compose.yml"));
        var dashboard = Dashboard();

        var uids = dashboard.GetProperty("panels").EnumerateArray().Select(p => p.GetProperty("datasource").GetProperty("uid").GetString()).Distinct().ToList();
        Assert.Equal(["aiops-lab-prometheus"], uids);
        Assert.Contains("uid: aiops-lab-prometheus", datasource, StringComparison.Ordinal);
        Assert.Contains("url: http://prometheus:9090", datasource, StringComparison.Ordinal);
        Assert.Contains("path: /var/lib/grafana/dashboards", provider, StringComparison.Ordinal);
        Assert.Contains("./samples/lab/grafana/dashboards:/var/lib/grafana/dashboards:ro", compose, StringComparison.Ordinal);
        Assert.Contains("./samples/lab/grafana/provisioning:/etc/grafana/provisioning:ro", compose, StringComparison.Ordinal);
        Assert.Equal("aiops-lab", dashboard.GetProperty("uid").GetString());
    }
}
