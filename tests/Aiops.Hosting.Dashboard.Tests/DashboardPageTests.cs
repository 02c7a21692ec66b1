using System.Text.Json;
using System.Text.RegularExpressions;
using Aiops.Gates;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Aiops.Hosting.Dashboard.Tests;

/// <summary>The dashboard in headless Chromium against a seeded host: what an on-call person sees.</summary>
public sealed partial class DashboardPageTests(BrowserFixture fixture, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Open_SeededHost_ScorePanelPerSeriesWithBandAndAnomalousPoint()
    {
        await using var watched = await fixture.OpenAsync(fixture.Host.Address);
        var page = watched.Page;

        var latency = page.Locator($"[data-testid=score-panel][data-series='{SeededHost.Latency}']");
        await Expect(latency).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=score-panel]")).ToHaveCountAsync(2);
        await Expect(latency).ToHaveAttributeAsync("data-anomalous", "true");
        await Expect(latency.Locator("[data-testid=score-series]")).ToHaveTextAsync(SeededHost.Latency.ToString());
        await Expect(latency.Locator("[data-testid=score-probability]")).ToContainTextAsync("anomalous");

        var band = latency.Locator("svg path[data-testid=score-band]");
        await Expect(band).ToHaveAttributeAsync("data-empty", "false");
        Assert.Matches("^M[0-9.]+,[0-9.]+L.*Z$", await band.GetAttributeAsync("d"));
        await Expect(latency.Locator("[data-testid=score-value-line]")).ToHaveAttributeAsync("d", new Regex("^M.+L.+"));
        await Expect(latency.Locator("[data-testid=score-expected-line]")).ToHaveAttributeAsync("d", new Regex("^M.+L.+"));
        await Expect(latency.Locator("[data-testid=score-anomaly-point]")).Not.ToHaveCountAsync(0);

        // The calm series has a band but no anomalous point.
        var connections = page.Locator($"[data-testid=score-panel][data-series='{SeededHost.Connections}']");
        await Expect(connections.Locator("[data-testid=score-band]")).ToHaveAttributeAsync("data-empty", "false");
        await Expect(connections.Locator("[data-testid=score-anomaly-point]")).ToHaveCountAsync(0);

        await Expect(page.Locator("[data-testid=pipeline-state]")).ToHaveAttributeAsync("data-status", "healthy");
        watched.AssertClean();
    }

    [Fact]
    public async Task ClickEpisode_SeededHost_TimelineInOnsetOrderAndRootCause()
    {
        var host = fixture.Host;
        await using var watched = await fixture.OpenAsync(host.Address);
        var page = watched.Page;

        var item = page.Locator($"[data-testid=episode-item][data-episode-id='{host.EpisodeId}']");
        await Expect(item).ToBeVisibleAsync();
        await Expect(item.Locator("[data-testid=episode-state]")).ToHaveTextAsync("firing");
        await Expect(item.Locator("[data-testid=episode-entities]")).ToContainTextAsync("api");
        await Expect(page.Locator("[data-testid=timeline]")).ToHaveCountAsync(0);

        await item.ClickAsync();

        await Expect(item).ToHaveAttributeAsync("aria-pressed", "true");
        using var timeline = await host.GetJsonAsync($"/aiops/api/episodes/{host.EpisodeId}/timeline");
        var expectedTitles = timeline.RootElement.EnumerateArray().Select(e => e.GetProperty("title").GetString()!).ToArray();
        var entries = page.Locator("[data-testid=timeline-entry]");
        await Expect(page.Locator("[data-testid=timeline-title]")).ToHaveTextAsync(expectedTitles);

        var at = (await entries.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.at)")).Select(DateTimeOffset.Parse).ToList();
        Assert.Equal(at.Order().ToList(), at);
        var kinds = await entries.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.kind)");
        Assert.Contains("transition", kinds);
        var titles = await page.Locator("[data-testid=timeline-title]").AllTextContentsAsync();
        var change = Array.FindIndex(titles.ToArray(), t => t.Contains("deploy api v1.4.2", StringComparison.Ordinal));
        var budget = Array.FindIndex(titles.ToArray(), t => t.Contains("ErrorBudgetBurn", StringComparison.Ordinal));
        var latency = Array.FindIndex(titles.ToArray(), t => t.Contains("HighLatency", StringComparison.Ordinal));
        var anomaly = Array.FindIndex(titles.ToArray(), t => t.Contains("http_request_duration_seconds anomalous", StringComparison.Ordinal));
        Assert.True(change >= 0 && change < budget && budget < latency && latency < anomaly, string.Join(" | ", titles));
        await Expect(page.Locator("[data-testid=timeline-time]").First).ToHaveTextAsync(new Regex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$"));

        using var episode = await host.GetJsonAsync($"/aiops/api/episodes/{host.EpisodeId}");
        var members = episode.RootElement.GetProperty("members").EnumerateArray().ToList();
        await Expect(page.Locator("[data-testid=member]")).ToHaveCountAsync(members.Count);
        var budgetRow = page.Locator("[data-testid=member][data-name=ErrorBudgetBurn]");
        await Expect(budgetRow).ToHaveAttributeAsync("data-state", "ended");
        await Expect(budgetRow.Locator("[data-testid=member-reason]")).ToHaveTextAsync("alert resolved");
        await Expect(budgetRow.Locator("[data-testid=member-ended]")).ToHaveTextAsync(new Regex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$"));
        await Expect(page.Locator("[data-testid=member][data-name=HighLatency]")).ToHaveAttributeAsync("data-state", "active");
        Assert.Contains(members, m => m.GetProperty("endReason").ValueKind == System.Text.Json.JsonValueKind.String && m.GetProperty("endedAt").GetString() is not null);
        Assert.Contains(titles, t => t.Contains("ErrorBudgetBurn ended: alert resolved", StringComparison.Ordinal));

        var rca = episode.RootElement.GetProperty("rootCause");
        var category = rca.GetProperty("category").GetString()!;
        var categoryText = page.Locator("[data-testid=rca-category]");
        await Expect(categoryText).ToHaveAttributeAsync("data-category", category);
        await Expect(categoryText).ToHaveTextAsync(Words(category));
        await Expect(page.Locator("[data-testid=rca-explanation]")).ToHaveTextAsync(rca.GetProperty("explanation").GetString()!);
        var topEntity = rca.GetProperty("hypotheses")[0].GetProperty("entity").GetString()!;
        await Expect(page.Locator("[data-testid=rca-hypothesis]").First).ToHaveAttributeAsync("data-entity", topEntity);

        // Every ranked service shows its evidence with the signed weight it contributed.
        var hypotheses = rca.GetProperty("hypotheses").EnumerateArray().Take(5).ToList();
        await Expect(page.Locator("[data-testid=rca-hypothesis]")).ToHaveCountAsync(hypotheses.Count);
        var top = hypotheses[0];
        var evidence = top.GetProperty("evidence").EnumerateArray().ToList();
        Assert.NotEmpty(evidence);
        var shown = page.Locator("[data-testid=rca-hypothesis]").First.Locator("[data-testid=rca-evidence]");
        await Expect(shown).ToHaveCountAsync(evidence.Count);
        var first = evidence[0];
        var weight = first.GetProperty("weight").GetDouble();
        var sign = weight > 0 ? "+" : weight < 0 ? "−" : string.Empty;
        await Expect(shown.First.Locator("[data-testid=rca-evidence-weight]")).ToHaveTextAsync(sign + Math.Abs(weight).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        await Expect(shown.First).ToContainTextAsync(first.GetProperty("description").GetString()!);
        await Expect(shown.First).ToHaveAttributeAsync("data-kind", first.GetProperty("kind").GetString()!);

        // Everything is on screen: save the artifact.
        await Expect(page.Locator($"[data-testid=decision][data-decision-id='{host.Denied!.DecisionId}']")).ToBeVisibleAsync();
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-loaded", "true");
        var path = ScreenshotPath();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 10_000);
        output.WriteLine($"Screenshot: {path}");
        watched.AssertClean();
    }

    [Fact]
    public async Task Open_SeededHost_AutomationLogShowsEveryGateVerdict()
    {
        var host = fixture.Host;
        await using var watched = await fixture.OpenAsync(host.Address);
        var page = watched.Page;

        var allowed = page.Locator($"[data-testid=decision][data-decision-id='{host.Allowed!.DecisionId}']");
        var denied = page.Locator($"[data-testid=decision][data-decision-id='{host.Denied!.DecisionId}']");
        await Expect(allowed).ToBeVisibleAsync();
        await Expect(denied).ToBeVisibleAsync();

        await Expect(allowed.Locator("[data-testid=decision-verdict]")).ToHaveTextAsync("Allowed");
        await Expect(allowed.Locator("[data-testid=decision-action]")).ToHaveTextAsync("restart");
        await Expect(allowed.Locator("[data-testid=decision-targets]")).ToContainTextAsync("api-7f9c");
        await AssertGatesAsync(allowed, host.Allowed);
        await Expect(allowed.Locator("[data-testid=execution-entry]")).ToContainTextAsync("Succeeded");

        await Expect(denied.Locator("[data-testid=decision-verdict]")).ToHaveTextAsync("Denied");
        await AssertGatesAsync(denied, host.Denied);
        var denying = host.Denied.Evaluations.Single(e => e.Verdict == GateVerdict.Deny);
        await Expect(denied.Locator("[data-testid=decision-denied-by]")).ToContainTextAsync($"Denied by gate {denying.Gate}: {denying.Reason}");
        await Expect(denied.Locator($"[data-testid=gate-row][data-gate='{denying.Gate}'] [data-testid=gate-verdict]")).ToHaveTextAsync("Denied");
        await Expect(denied.Locator("[data-testid=execution-entry]")).ToHaveCountAsync(0);

        // Newest first.
        var ids = (await page.Locator("[data-testid=decision]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.decisionId)")).ToList();
        Assert.True(ids.IndexOf(host.Denied.DecisionId) < ids.IndexOf(host.Allowed.DecisionId), string.Join(", ", ids));
        watched.AssertClean();
    }

    [Fact]
    public async Task Open_HostWithoutGatesOrData_EmptyStatesExplainWhatIsMissing()
    {
        await using var bare = await SeededHost.StartAsync(gates: false, configure: SeededHost.WithoutGates);
        await using var watched = await fixture.OpenAsync(bare.Address, "/aiops/");
        var page = watched.Page;

        await Expect(page.Locator("[data-testid=scores-empty]")).ToContainTextAsync("No series scored yet");
        await Expect(page.Locator("[data-testid=episodes-empty]")).ToContainTextAsync("No episodes");
        await Expect(page.Locator("[data-testid=decisions-empty]")).ToContainTextAsync("No decisions — gates not configured");
        await Expect(page.Locator("[data-testid=pipeline-state]")).ToHaveAttributeAsync("data-status", "healthy");
        await Expect(page.Locator("[data-testid=last-refresh]")).ToHaveAttributeAsync("data-ok", "true");

        // The 503s of the gates endpoints are expected answers, not page failures; nothing else may fail.
        lock (watched.Errors)
        {
            Assert.All(watched.Errors, e => Assert.Contains("503", e, StringComparison.Ordinal));
        }

        Assert.Empty(watched.External);
    }

    private static async Task AssertGatesAsync(ILocator decision, Decision expected)
    {
        var rows = decision.Locator("[data-testid=gate-row]");
        await Expect(rows).ToHaveCountAsync(expected.Evaluations.Count);
        await Expect(rows.Locator("[data-testid=gate-name]")).ToHaveTextAsync(expected.Evaluations.Select(e => e.Gate).ToArray());
        await Expect(rows.Locator("[data-testid=gate-verdict]")).ToHaveTextAsync(expected.Evaluations.Select(e => Verdict(e.Verdict)).ToArray());
        await Expect(rows.Locator("[data-testid=gate-reason]")).ToHaveTextAsync(expected.Evaluations.Select(e => e.Reason).ToArray());
    }

    private static string Verdict(GateVerdict verdict) => verdict switch
    {
        GateVerdict.Allow => "Allowed",
        GateVerdict.Deny => "Denied",
        _ => "Needs approval",
    };

    // "changeInduced" → "Change induced", as the page writes it.
    private static string Words(string camel)
    {
        var text = CamelBoundary().Replace(camel, "$1 $2").ToLowerInvariant();
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    private static string ScreenshotPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Aiops.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var screenshots = Path.Combine(dir.FullName, "artifacts", "screenshots");
        Directory.CreateDirectory(screenshots);
        return Path.Combine(screenshots, "dashboard.png");
    }

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex CamelBoundary();
}
