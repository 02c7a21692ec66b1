using System.Text.Json;
using System.Text.Json.Nodes;
using Aiops.Gates.Serialization;

namespace Aiops.Gates.Tests.Audit;

public sealed class GatesJsonTests
{
    [Fact]
    public void Serialize_EveryEntryType_RoundTripsExactly()
    {
        foreach (var entry in AuditSamples.EveryType())
        {
            var json = JsonSerializer.Serialize(entry, GatesJson.AuditEntry);
            var back = JsonSerializer.Deserialize(json, GatesJson.AuditEntry)!;

            Assert.IsType(entry.GetType(), back);
            Assert.Equal(json, JsonSerializer.Serialize(back, GatesJson.AuditEntry));
        }
    }

    [Fact]
    public void Serialize_Decision_KeepsEveryField()
    {
        var entry = AuditSamples.Decision("dec-1");

        var back = (DecisionEntry)JsonSerializer.Deserialize(JsonSerializer.Serialize<AuditEntry>(entry, GatesJson.AuditEntry), GatesJson.AuditEntry)!;

        var (expected, actual) = (entry.Decision, back.Decision);
        Assert.Equal(expected.DecisionId, actual.DecisionId);
        Assert.Equal(expected.Verdict, actual.Verdict);
        Assert.Equal(expected.DecidedAt, actual.DecidedAt);
        Assert.Equal(expected.DecidedAt.Offset, actual.DecidedAt.Offset);
        Assert.True(actual.DryRun);
        Assert.Equal(expected.Proposal with { Targets = actual.Proposal.Targets, Evidence = actual.Proposal.Evidence, Labels = actual.Proposal.Labels }, actual.Proposal);
        Assert.Equal(expected.Proposal.Targets, actual.Proposal.Targets);
        Assert.Equal(expected.Proposal.Evidence, actual.Proposal.Evidence);
        Assert.Equal(expected.Proposal.Labels.OrderBy(p => p.Key), actual.Proposal.Labels.OrderBy(p => p.Key));
        Assert.Equal(12, actual.Proposal.FleetSize);
        Assert.Equal(expected.Evaluations.Count, actual.Evaluations.Count);
        for (var i = 0; i < expected.Evaluations.Count; i++)
        {
            var (e, a) = (expected.Evaluations[i], actual.Evaluations[i]);
            Assert.Equal(e with { Data = a.Data }, a);
            Assert.Equal(e.Data?.OrderBy(p => p.Key), a.Data?.OrderBy(p => p.Key));
        }

        Assert.Equal(["change-freeze"], actual.DecisiveGates.Select(g => g.Gate));
    }

    [Fact]
    public void Serialize_Entry_TypeFirstCamelCaseStringEnumsAndReadableValues()
    {
        var json = JsonSerializer.Serialize<AuditEntry>(AuditSamples.Decision("dec-1", RiskClass.Destructive), GatesJson.AuditEntry);
        var node = JsonNode.Parse(json)!.AsObject();

        Assert.StartsWith("{\"type\":\"decision\",", json, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', json);
        var decision = node["decision"]!;
        Assert.Equal("deny", (string?)decision["verdict"]);
        Assert.Equal("destructive", (string?)decision["proposal"]!["risk"]);
        Assert.Equal("2025-03-01T12:00:01+02:00", (string?)decision["decidedAt"]);
        Assert.Equal("HighLatency", (string?)decision["proposal"]!["labels"]!["alertname"]);
        Assert.Equal("Payments", (string?)decision["proposal"]!["labels"]!["Team-Name"]);
        var evaluations = decision["evaluations"]!.AsArray();
        Assert.Equal("requireApproval", (string?)evaluations[1]!["verdict"]);
        Assert.Equal("00:00:00.0012345", (string?)evaluations[0]!["elapsed"]);
        Assert.Null(evaluations[1]!["data"]);
        Assert.True(evaluations[1]!.AsObject().ContainsKey("data"));
        Assert.Null(decision["decisiveGates"]);

        var execution = JsonSerializer.Serialize<AuditEntry>(AuditSamples.Execution("dec-1", ExecutionStatus.AwaitingApproval), GatesJson.AuditEntry);
        Assert.StartsWith("{\"type\":\"execution\",", execution, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"awaitingApproval\"", execution, StringComparison.Ordinal);
        Assert.StartsWith("{\"type\":\"approval\",", JsonSerializer.Serialize<AuditEntry>(AuditSamples.Approval("dec-1"), GatesJson.AuditEntry), StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_ProposalWithoutOptionalProperties_KeepsDefaults()
    {
        const string Line = """
            {"decision":{"decisionId":"dec-7","proposal":{"actionId":"a","targets":["t"],"risk":"High","episodeId":"ep","confidence":"0.5",
            "idempotencyKey":"k","proposedAt":"2025-03-01T12:00:00Z"},"evaluations":[{"gate":"g","verdict":2,"reason":"r","data":null,
            "elapsed":"00:00:01"}],"verdict":"DENY","decidedAt":"2025-03-01T12:00:00Z","dryRun":false,"future":"ignored"},"type":"decision"}
            """;

        var entry = Assert.IsType<DecisionEntry>(JsonSerializer.Deserialize(Line, GatesJson.AuditEntry));

        var proposal = entry.Decision.Proposal;
        Assert.Empty(proposal.Evidence);
        Assert.Empty(proposal.Labels);
        Assert.Null(proposal.FleetSize);
        Assert.Equal(RiskClass.High, proposal.Risk);
        Assert.Equal(0.5, proposal.Confidence);
        Assert.Equal(GateVerdict.Deny, entry.Decision.Verdict);
        var evaluation = Assert.Single(entry.Decision.Evaluations);
        Assert.Equal(GateVerdict.Deny, evaluation.Verdict);
        Assert.Null(evaluation.Failure);
        Assert.Equal(TimeSpan.FromSeconds(1), evaluation.Elapsed);
    }

    [Fact]
    public void Deserialize_ProposalWithNullOptionalProperties_KeepsDefaults()
    {
        const string Json = """
            {"actionId":"a","targets":["t"],"risk":"low","episodeId":"ep","confidence":1,"idempotencyKey":"k",
            "proposedAt":"2025-03-01T12:00:00Z","evidence":null,"labels":null,"fleetSize":null}
            """;

        var proposal = JsonSerializer.Deserialize(Json, GatesJson.RemediationProposal)!;

        Assert.Empty(proposal.Evidence);
        Assert.Empty(proposal.Labels);
        Assert.Null(proposal.FleetSize);
    }

    [Theory]
    [InlineData("""{"actionId":"a","targets":null,"risk":"low","episodeId":"ep","confidence":1,"idempotencyKey":"k","proposedAt":"2025-03-01T12:00:00Z"}""")]
    [InlineData("""{"targets":["t"],"risk":"low","episodeId":"ep","confidence":1,"idempotencyKey":"k","proposedAt":"2025-03-01T12:00:00Z"}""")]
    public void Deserialize_ProposalMissingOrNullRequiredProperty_Throws(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, GatesJson.RemediationProposal));
    }

    [Theory]
    [InlineData("""{"type":"decision","decision":null}""")]
    [InlineData("""{"type":"decision"}""")]
    [InlineData("""{"type":"approval","approval":{"decisionId":"d","approved":true,"by":null,"why":"w","at":"2025-03-01T12:00:00Z"}}""")]
    [InlineData("""{"type":"execution","execution":{"decisionId":"d","actionId":"a","idempotencyKey":"k","status":"succeeded","startedAt":"2025-03-01T12:00:00Z","finishedAt":"2025-03-01T12:00:00Z"}}""")]
    [InlineData("""{"type":"approval","approval":{"decisionId":"d","approved":true,"by":"b","why":"w","at":"2025-03-01T12:00:00Z"},"x":[}""")]
    public void Deserialize_BrokenContract_Throws(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, GatesJson.AuditEntry));
    }

    [Theory]
    [InlineData("""{"type":"rollback","decision":{}}""")]
    [InlineData("""{"decisionId":"d"}""")]
    public void Deserialize_UnknownOrMissingType_Throws(string json)
    {
        var e = Record.Exception(() => JsonSerializer.Deserialize(json, GatesJson.AuditEntry));

        Assert.True(e is JsonException or NotSupportedException, e?.ToString());
    }

    [Fact]
    public void Options_SerializeThroughOptions_SameAsTypedContract()
    {
        var entry = AuditSamples.Decision("dec-1");

        var viaOptions = JsonSerializer.Serialize<AuditEntry>(entry, GatesJson.Options);
        var viaResolver = JsonSerializer.Serialize<AuditEntry>(entry, new JsonSerializerOptions(GatesJson.Options) { TypeInfoResolver = GatesJson.Default });

        Assert.Equal(AuditSamples.Json(entry), viaOptions);
        Assert.Equal(viaOptions, viaResolver);
        Assert.True(GatesJson.Options.IsReadOnly);
    }

    [Fact]
    public void TypedContracts_DecisionProposalAndList_RoundTrip()
    {
        var entry = AuditSamples.Decision("dec-1");
        IReadOnlyList<AuditEntry> entries = AuditSamples.EveryType();

        var decision = JsonSerializer.Deserialize(JsonSerializer.Serialize(entry.Decision, GatesJson.Decision), GatesJson.Decision)!;
        var proposal = JsonSerializer.Deserialize(JsonSerializer.Serialize(entry.Decision.Proposal, GatesJson.RemediationProposal), GatesJson.RemediationProposal)!;
        var listJson = JsonSerializer.Serialize(entries, GatesJson.AuditEntryList);
        var list = JsonSerializer.Deserialize(listJson, GatesJson.AuditEntryList)!;

        Assert.Equal("dec-1", decision.DecisionId);
        Assert.Equal(entry.Decision.Proposal.Evidence, proposal.Evidence);
        Assert.Equal(entries.Select(AuditSamples.Json), list.Select(AuditSamples.Json));
    }
}
