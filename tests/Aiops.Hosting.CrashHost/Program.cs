using Aiops.Gates;
using Aiops.Gates.Actions;
using Aiops.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

// Usage: Aiops.Hosting.CrashHost <directory>. Runs AddAiops with its audit log (and so its episode store) in <directory>, the
// webhook and the API on 127.0.0.1 (token "crash-test" for both), one rule (restart the root-cause service, simulated), and a
// fast lifecycle; prints "LISTENING <address>" once it serves, and exits when its stdin closes (so it never outlives the test).
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Aiops.Hosting.CrashHost <directory>");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Aiops:Remediation:AuditLogPath"] = Path.Combine(args[0], "audit.jsonl"),
    ["Aiops:Alertmanager:BearerToken"] = "crash-test",
    ["Aiops:Api:ApprovalToken"] = "crash-test",
    ["Aiops:Correlation:PendingFor"] = "00:00:01",
    ["Aiops:Correlation:TickInterval"] = "00:00:00.100",
});
builder.Services.AddAiops(aiops => aiops
    .AddAction(new SimulatedAction("restart", RiskClass.Low))
    .ConfigureRemediation(o => o.Rules.Add(new RemediationRule { Action = "restart" })));

var app = builder.Build();
app.MapAiopsAlertmanager();
app.MapAiopsApi();
await app.StartAsync();
Console.WriteLine("LISTENING " + app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
_ = Task.Run(async () =>
{
    await Console.In.ReadToEndAsync();
    await app.StopAsync();
});
await app.WaitForShutdownAsync();
return 0;
