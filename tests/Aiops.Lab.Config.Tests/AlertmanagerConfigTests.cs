namespace Aiops.Lab.Config.Tests;

public sealed class AlertmanagerConfigTests
{
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
        Assert.Contains("equal: [service]", text, StringComparison.Ordinal);
    }
}
