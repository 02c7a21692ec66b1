using Aiops.Hosting;
using Aiops.Lab.Shared;

// The ML anomaly exporter of the lab: polls the lab app's golden signals from Prometheus (Aiops:Sources:Prometheus in
// golden-signals.json; the lab runner passes the server's address), scores every series, and serves the scores on
// /metrics as aiops_anomaly_score / _expected / _lower / _upper for Prometheus to scrape and alert on. It opens no
// episodes of its own (Aiops:Detection:SendSignals is false): its anomalies become alerts, and the receiver correlates them.
var builder = WebApplication.CreateBuilder(args);
LabAutomation.AddGoldenSignals(builder.Configuration);
builder.AddAiops();
builder.Services.Configure<DetectionStageOptions>(o =>
{
    o.DetectorFactory = LabAutomation.Detector;
    o.TrackingFactory = LabAutomation.Tracking;
});

var app = builder.Build();
app.MapAiopsMetrics("/metrics");
app.MapAiopsApi("/aiops/api");
app.MapAiopsHealth("/aiops/health");
app.Run();
