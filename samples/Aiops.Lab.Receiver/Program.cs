using Aiops.Hosting;
using Aiops.Lab.Receiver;
using Aiops.Lab.Shared;

// The automation webhook of the lab. Alertmanager posts here; AddAiops correlates the alerts into episodes, the rules in
// appsettings.json (Aiops:Remediation) propose actions, the gates (Aiops:Gates) decide, and only simulated actions exist:
// nothing real is ever changed. It also scores the golden signals for its dashboard, without sending anomaly signals:
// anomalies reach it as alerts on the exporter's scores (Aiops:Detection:SendSignals is false).
var builder = WebApplication.CreateBuilder(args);
LabAutomation.AddGoldenSignals(builder.Configuration);
builder.Services.Configure<DetectionStageOptions>(o => o.DetectorFactory = LabAutomation.Detector);
builder.Services.AddSingleton(LabAutomation.Dependencies());
builder.Services.AddSingleton<NotificationLog>();
builder.AddAiops(aiops =>
{
    foreach (var action in LabAutomation.Actions())
    {
        aiops.AddAction(action);
    }
});

var app = builder.Build();
app.UseNotificationLog("/aiops/alertmanager");
app.MapAiopsAlertmanager("/aiops/alertmanager");
app.MapAiopsApi("/aiops/api");
app.MapAiopsDashboard("/aiops");
app.MapAiopsMetrics("/metrics");
app.MapAiopsHealth("/aiops/health");
app.MapGet("/lab/notifications", (NotificationLog log) => log.Snapshot());
app.Run();
