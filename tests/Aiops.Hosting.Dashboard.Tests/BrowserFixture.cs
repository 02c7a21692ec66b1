using Microsoft.Playwright;

namespace Aiops.Hosting.Dashboard.Tests;

/// <summary>
/// One headless Debian Chromium (driven by Playwright, never downloaded) and one seeded host per test class. Pages get a
/// 1280×900 viewport; every request that is not to the loopback host is aborted and recorded, as are console errors,
/// page errors and failed requests.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public const float TimeoutMs = 30_000;

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    internal SeededHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await SeededHost.StartAsync();
        await Host.SeedAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            Timeout = 60_000,
        });
        Assertions.SetDefaultExpectTimeout(TimeoutMs);
    }

    /// <summary>Opens a page on a fresh context that can reach only the loopback host.</summary>
    internal async Task<WatchedPage> OpenAsync(Uri address, string path = "/aiops")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            BaseURL = address.ToString(),
        });
        context.SetDefaultTimeout(TimeoutMs);
        context.SetDefaultNavigationTimeout(TimeoutMs);
        var watched = new WatchedPage(context);
        await context.RouteAsync("**/*", async route =>
        {
            var url = new Uri(route.Request.Url);
            if (url.Scheme is "http" or "https" && !url.IsLoopback)
            {
                watched.External.Add(route.Request.Url);
                await route.AbortAsync();
                return;
            }

            await route.ContinueAsync();
        });
        var page = await context.NewPageAsync();
        watched.Attach(page);
        var response = await page.GotoAsync(path);
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        return watched;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }
}

/// <summary>A page and what it reported: console errors, page errors, failed requests and attempts to reach other hosts.</summary>
internal sealed class WatchedPage(IBrowserContext context) : IAsyncDisposable
{
    public IPage Page { get; private set; } = null!;

    public List<string> Errors { get; } = [];

    public List<string> External { get; } = [];

    public void Attach(IPage page)
    {
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (Errors)
                {
                    Errors.Add("console: " + message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (Errors)
            {
                Errors.Add("page error: " + error);
            }
        };
        page.RequestFailed += (_, request) =>
        {
            lock (Errors)
            {
                Errors.Add($"request failed: {request.Url} ({request.Failure})");
            }
        };
    }

    /// <summary>Asserts that nothing went wrong and nothing but loopback was requested.</summary>
    public void AssertClean()
    {
        lock (Errors)
        {
            Assert.Empty(Errors);
        }

        Assert.Empty(External);
    }

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}
