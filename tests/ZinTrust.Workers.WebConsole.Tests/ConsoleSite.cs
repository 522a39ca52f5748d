using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ZinTrust.Workers.Server;

namespace ZinTrust.Workers.WebConsole.Tests;

/// <summary>The keys the console is signed in with (only their hashes reach the silos).</summary>
public static class ConsoleKeys
{
    public const string Admin = "zt_console_admin_key_00000000000000000000000000";
    public const string Viewer = "zt_console_viewer_key_0000000000000000000000000";

    public static string Setting => string.Join(';',
        SiloProcesses.ApiKeysSetting,
        ApiKeyRing.Entry("console-admin", ApiRole.Admin, Admin),
        ApiKeyRing.Entry("console-viewer", ApiRole.Viewer, Viewer));
}

/// <summary>Real silo processes (PostgreSQL membership and state, the Redis job store) with the console, and pages of one browser.</summary>
public abstract class ConsoleSite(Chromium chromium, int silos) : IAsyncLifetime
{
    private const float NavigationDeadlineMs = 60_000;

    public SiloProcesses Cluster { get; private set; } = null!;

    public int Silos => silos;

    public async ValueTask InitializeAsync()
    {
        var redis = Environment.GetEnvironmentVariable("ZT_TEST_REDIS") is { Length: > 0 } r
            ? r
            : throw new InvalidOperationException("ZT_TEST_REDIS is not set: run the browser tests through ./infra/test.sh, which starts the real servers.");
        var ct = TestContext.Current.CancellationToken;
        Cluster = await SiloProcesses.CreateAsync(redis, ct, extra: new Dictionary<string, string> { ["WORKER_API_KEYS"] = ConsoleKeys.Setting });
        for (int i = 0; i < silos; i++)
        {
            await Cluster.StartAsync(i, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>The address of silo <paramref name="silo"/>'s HTTP port (as <c>localhost</c>: a Secure cookie is kept there over plain http).</summary>
    public string Url(int silo, string path) => $"http://localhost:{Cluster.HttpPort(silo)}{path}";

    /// <summary>A new browser context (its own cookies) and page.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1360, Height = 900 } });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    /// <summary>Opens <paramref name="path"/> on silo <paramref name="silo"/> in a new browser context, is sent to the sign-in page,
    /// signs in with <paramref name="key"/> and returns on <paramref name="path"/>.</summary>
    public async Task<IPage> SignedInAsync(string key, int silo = 0, string path = "/ui/")
    {
        var page = await NewPageAsync();
        await page.GotoAsync(Url(silo, path));
        await ExpectAtAsync(page, "/ui/signin?returnUrl=" + Uri.EscapeDataString(path));
        await page.FillAsync("#apiKey", key);
        await page.ClickAsync("#signin");
        try
        {
            // Polled (a run timed out waiting for this navigation while the page stood signed in on the path); the deadline is
            // generous: the silo processes share two cores with the other test assemblies.
            await ExpectAtAsync(page, path, then: "([?#].*)?$");
            if (path.StartsWith("/ui/", StringComparison.Ordinal))
            {
                await Assertions.Expect(page.Locator("#who")).Not.ToBeEmptyAsync(new() { Timeout = NavigationDeadlineMs });
            }
        }
        catch (PlaywrightException)
        {
            await ScreenshotAsync(page, "failed-sign-in");
            var error = page.Url.Contains("/ui/signin", StringComparison.Ordinal) ? await page.Locator("#signin-error").InnerTextAsync() : "";
            throw new TimeoutException($"Sign-in did not reach {path}: the page is at {page.Url}; its error: '{error}'; its text: '{await page.InnerTextAsync("body")}'.");
        }

        return page;
    }

    /// <summary>
    /// Waits (polling, up to a minute) until the page's address is <paramref name="pathAndQuery"/> on its silo, followed by what
    /// <paramref name="then"/> matches (a regular expression; by default nothing more). Polled rather than an awaited navigation
    /// event, which can be missed when the navigation commits while Playwright starts waiting for it.
    /// </summary>
    public static Task ExpectAtAsync(IPage page, string pathAndQuery, string then = "$") =>
        Assertions.Expect(page).ToHaveURLAsync(new Regex("^https?://[^/]+" + Regex.Escape(pathAndQuery) + then), new() { Timeout = NavigationDeadlineMs });

    /// <summary>Clicks an action button, confirms, and returns the notice the page then shows (the service's message).</summary>
    public static async Task<string> ActAsync(IPage page, string action)
    {
        await page.ClickAsync($"[data-action='{action}']");
        await page.ClickAsync("#confirm-ok");
        var notice = page.Locator("#notice");
        await Assertions.Expect(notice).ToBeVisibleAsync();
        return await notice.InnerTextAsync();
    }

    public Task<JsonElement> Api(string method, string path, object? body = null, int silo = 0)
    {
        var ct = TestContext.Current.CancellationToken;
        return method switch
        {
            "GET" => Cluster.GetJson(silo, path, ct),
            "PUT" => Cluster.PutJson(silo, path, body ?? new { }, ct),
            _ => Cluster.PostJson(silo, path, body ?? new { }, ct),
        };
    }

    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Repository.Artifacts("screenshots"), name + ".png"), FullPage = true });
}

public sealed class OneSilo(Chromium chromium) : ConsoleSite(chromium, 1);

public sealed class ThreeSilos(Chromium chromium) : ConsoleSite(chromium, 3);
