using Aiops.Lab;

namespace Aiops.Lab.Tests;

public sealed class AlertWatcherTests
{
    [Theory]
    [InlineData("LabHighLatency", "payment", null, "LabHighLatency{payment}")]
    [InlineData("LabDownstreamErrors", "checkout", "payment", "LabDownstreamErrors{checkout→payment}")]
    [InlineData("LabDownstreamErrors", "checkout", "store", "LabDownstreamErrors{checkout→store}")]
    [InlineData("LabTargetDown", null, null, "LabTargetDown")]
    public void Name_ServiceAndPeer_OneNamePerEdgeOfTheCallGraph(string alertname, string? service, string? peer, string expected)
    {
        Assert.Equal(expected, AlertWatcher.Name(alertname, service, peer));
    }
}
