using System.Text.Json;
using System.Text.Json.Nodes;
using Aiops.Correlation.Serialization;

namespace Aiops.Correlation.Tests;

public sealed class EpisodeJsonTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.FromHours(2));

    [Fact]
    public void Serialize_EpisodeWithEverySignalKind_RoundTripsExactly()
    {
        var episode = RichEpisode();

        var json = JsonSerializer.Serialize(episode, CorrelationJson.Episode);
        var back = JsonSerializer.Deserialize(json, CorrelationJson.Episode)!;

        Assert.Equal(json, JsonSerializer.Serialize(back, CorrelationJson.Episode));
        Assert.Equal(episode.Id, back.Id);
        Assert.Equal(episode.State, back.State);
        Assert.Equal(episode.OpenedAt, back.OpenedAt);
        Assert.Equal(episode.OpenedAt.Offset, back.OpenedAt.Offset);
        Assert.Equal(episode.UpdatedAt, back.UpdatedAt);
        Assert.Equal(episode.Entities, back.Entities);
        Assert.Equal(episode.SignalCount, back.SignalCount);
        Assert.Equal(episode.MergedInto, back.MergedInto);
        Assert.Equal(episode.Transitions, back.Transitions);

        Assert.Equal(episode.Members.Count, back.Members.Count);
        for (var i = 0; i < episode.Members.Count; i++)
        {
            var (expected, actual) = (episode.Members[i], back.Members[i]);
            Assert.Equal(expected with { Signal = actual.Signal }, actual);
            Assert.IsType(expected.Signal.GetType(), actual.Signal);
            AssertSignalEqual(expected.Signal, actual.Signal);
        }

        var change = Assert.Single(back.Changes);
        AssertSignalEqual(episode.Changes[0], change);

        var rootCause = back.RootCause!;
        Assert.Equal(episode.RootCause!.Category, rootCause.Category);
        Assert.Equal(episode.RootCause.Explanation, rootCause.Explanation);
        Assert.Equal(episode.RootCause.Hypotheses.Count, rootCause.Hypotheses.Count);
        for (var i = 0; i < rootCause.Hypotheses.Count; i++)
        {
            Assert.Equal(episode.RootCause.Hypotheses[i].Entity, rootCause.Hypotheses[i].Entity);
            Assert.Equal(episode.RootCause.Hypotheses[i].Score, rootCause.Hypotheses[i].Score);
            Assert.Equal(episode.RootCause.Hypotheses[i].Evidence, rootCause.Hypotheses[i].Evidence);
        }
    }

    [Fact]
    public void Serialize_MemberSignals_WriteKindDiscriminatorFirst()
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(RichEpisode(), CorrelationJson.Episode))!;

        var signals = json["members"]!.AsArray().Select(m => m!["signal"]!.AsObject()).ToList();

        Assert.Equal(["anomaly", "alert", "change"], signals.Select(s => (string)s["kind"]!));
        Assert.All(signals, s => Assert.Equal("kind", s.First().Key));
    }

    [Fact]
    public void Serialize_Enums_WrittenAsCamelCaseStrings()
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(RichEpisode(), CorrelationJson.Episode))!;
        var members = json["members"]!.AsArray();

        Assert.Equal("firing", (string)json["state"]!);
        Assert.Equal("up", (string)members[0]!["signal"]!["direction"]!);
        Assert.Equal("resolved", (string)members[1]!["signal"]!["status"]!);
        Assert.Equal("config", (string)members[2]!["signal"]!["change"]!);
        Assert.Equal("deploy", (string)json["changes"]![0]!["change"]!);
        Assert.Null((string?)json["transitions"]![0]!["from"]);
        Assert.Equal("pending", (string)json["transitions"]![1]!["from"]!);
        Assert.Equal("changeInduced", (string)json["rootCause"]!["category"]!);
        Assert.Equal("change", (string)json["rootCause"]!["hypotheses"]![0]!["evidence"]![0]!["kind"]!);
    }

    [Fact]
    public void Serialize_PropertyNames_CamelCaseButLabelKeysUnchanged()
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(RichEpisode(), CorrelationJson.Episode))!.AsObject();

        Assert.Equal(
            ["id", "state", "openedAt", "updatedAt", "entities", "members", "changes", "transitions", "signalCount", "rootCause", "mergedInto"],
            json.Select(p => p.Key));
        var labels = json["members"]![0]!["signal"]!["labels"]!.AsObject();
        Assert.Equal(["Service_Name", "service"], labels.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("Runbook_URL", json["members"]![1]!["signal"]!["annotations"]!.AsObject().Single().Key);
    }

    [Fact]
    public void Deserialize_PascalCaseEnumsAndKindNotFirst_Accepted()
    {
        const string Json = """
            {"labels":{"service":"api"},"fingerprint":"fp","name":"HighErrors","onset":"2025-03-01T12:00:00+00:00",
             "status":"Resolved","endsAt":null,"severity":null,"annotations":{},"kind":"alert"}
            """;

        var signal = Assert.IsType<AlertSignal>(JsonSerializer.Deserialize(Json, CorrelationJson.Signal));

        Assert.Equal(AlertStatus.Resolved, signal.Status);
        Assert.Equal("api", signal.Label("service"));
    }

    [Fact]
    public void Deserialize_MissingRequiredProperty_ThrowsJsonException()
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(RichEpisode(), CorrelationJson.Episode))!.AsObject();
        json.Remove("members");

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json.ToJsonString(), CorrelationJson.Episode));
    }

    [Fact]
    public void Deserialize_NullForNonNullableProperty_ThrowsJsonException()
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(RichEpisode(), CorrelationJson.Episode))!.AsObject();
        json["entities"] = null;

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json.ToJsonString(), CorrelationJson.Episode));
    }

    [Fact]
    public void Deserialize_UnknownProperty_Ignored()
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(RichEpisode(), CorrelationJson.Episode))!.AsObject();
        json["addedByANewerVersion"] = 42;

        Assert.Equal("ep-42", JsonSerializer.Deserialize(json.ToJsonString(), CorrelationJson.Episode)!.Id);
    }

    [Fact]
    public void Serialize_NonFiniteScore_RoundTripsAsString()
    {
        var anomaly = new AnomalySignal("fp", "latency", T0, new Dictionary<string, string>(), double.NaN, Direction.None, double.PositiveInfinity);

        var json = JsonSerializer.Serialize<Signal>(anomaly, CorrelationJson.Signal);
        var back = Assert.IsType<AnomalySignal>(JsonSerializer.Deserialize(json, CorrelationJson.Signal));

        Assert.Contains("\"peakScore\":\"NaN\"", json, StringComparison.Ordinal);
        Assert.True(double.IsNaN(back.PeakScore));
        Assert.Equal(double.PositiveInfinity, back.Magnitude);
    }

    [Fact]
    public void Serialize_Timeline_SignalsCarryKind()
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(RichEpisode().Timeline(), CorrelationJson.Timeline))!.AsArray();

        Assert.Equal(
            ["change", "anomaly", "alert", "change"],
            json.Where(e => e!["signal"] is not null).Select(e => (string)e!["signal"]!["kind"]!));
        Assert.Contains(json, e => (string)e!["kind"]! == "transition" && e["transition"] is not null);
    }

    [Fact]
    public void Options_UsedWithSerializer_MatchesTypedContract()
    {
        var episode = RichEpisode();

        var viaOptions = JsonSerializer.Serialize(episode, typeof(Episode), CorrelationJson.Default);
        var viaList = JsonSerializer.Serialize<IReadOnlyList<Episode>>([episode], CorrelationJson.EpisodeList);

        Assert.Equal(JsonSerializer.Serialize(episode, CorrelationJson.Episode), viaOptions);
        Assert.Equal($"[{viaOptions}]", viaList);
        Assert.True(CorrelationJson.Options.IsReadOnly);
        Assert.Same(CorrelationJson.Default, CorrelationJson.Options.TypeInfoResolver);
    }

    [Fact]
    public void Serialize_EpisodeQuery_RoundTrips()
    {
        var query = new EpisodeQuery(EpisodeState.Resolved, "api", T0, 10);

        var json = JsonSerializer.Serialize(query, CorrelationJson.EpisodeQuery);

        Assert.Contains("\"state\":\"resolved\"", json, StringComparison.Ordinal);
        Assert.Equal(query, JsonSerializer.Deserialize(json, CorrelationJson.EpisodeQuery));
    }

    /// <summary>An episode with one member of each signal kind, a change, transitions, a root-cause analysis and a merge target.</summary>
    internal static Episode RichEpisode()
    {
        var anomaly = new AnomalySignal(
            "http_requests_total{service=\"api\"}",
            "http_requests_total",
            T0,
            new Dictionary<string, string> { ["service"] = "api", ["Service_Name"] = "API" },
            0.997,
            Direction.Up,
            6.25);
        var alert = new AlertSignal(
            "a1b2c3",
            "HighErrorRate",
            T0.AddMinutes(2),
            new Dictionary<string, string> { ["service"] = "api", ["severity"] = "page" },
            AlertStatus.Resolved,
            T0.AddMinutes(9),
            "page",
            new Dictionary<string, string> { ["Runbook_URL"] = "https://runbooks/errors \"quoted\" → ü" });
        var config = new ChangeSignal("cfg-7", "raise pool size", T0.AddMinutes(3), new Dictionary<string, string> { ["service"] = "db" }, ChangeKind.Config);
        var deploy = new ChangeSignal("deploy-42", "deploy api v1.4.2", T0.AddMinutes(-5), new Dictionary<string, string> { ["service"] = "api" }, ChangeKind.Deploy);
        return new Episode(
            "ep-42",
            EpisodeState.Firing,
            T0,
            T0.AddMinutes(10),
            ["api", "db"],
            [
                new EpisodeMember(anomaly, "api", T0, T0.AddMinutes(4), 3, 0.997, true),
                new EpisodeMember(alert, "api", T0.AddMinutes(2), T0.AddMinutes(9), 0, 1, false),
                new EpisodeMember(config, null, T0.AddMinutes(3), T0.AddMinutes(3), 0, 0, false),
            ],
            [deploy],
            [
                new StateTransition(T0, null, EpisodeState.Pending, "first signal"),
                new StateTransition(T0.AddMinutes(1), EpisodeState.Pending, EpisodeState.Firing, "active for 1m"),
            ],
            7,
            new RootCauseAnalysis(
                IncidentCategory.ChangeInduced,
                "A deploy of api shortly before the onset.",
                [
                    new RootCauseHypothesis("api", 0.8, [new Evidence(EvidenceKind.Change, "deploy 5m before onset", 0.5), new Evidence(EvidenceKind.Lead, "moved first", 0.3)]),
                    new RootCauseHypothesis("db", 0.2, [new Evidence(EvidenceKind.Dependency, "dependency of api", -0.1)]),
                ]),
            "ep-41");
    }

    private static void AssertSignalEqual(Signal expected, Signal actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Fingerprint, actual.Fingerprint);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Onset, actual.Onset);
        Assert.Equal(expected.Onset.Offset, actual.Onset.Offset);
        Assert.Equal(expected.Labels.OrderBy(p => p.Key, StringComparer.Ordinal), actual.Labels.OrderBy(p => p.Key, StringComparer.Ordinal));
        switch (expected)
        {
            case AnomalySignal a:
                Assert.Equal(a with { Labels = actual.Labels }, actual);
                break;
            case AlertSignal a:
                var alert = (AlertSignal)actual;
                Assert.Equal(a.Annotations.OrderBy(p => p.Key, StringComparer.Ordinal), alert.Annotations.OrderBy(p => p.Key, StringComparer.Ordinal));
                Assert.Equal(a with { Labels = actual.Labels, Annotations = alert.Annotations }, actual);
                break;
            case ChangeSignal c:
                Assert.Equal(c with { Labels = actual.Labels }, actual);
                break;
        }
    }
}
