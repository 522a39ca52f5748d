using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ZinTrust.Workers.WebConsole.Tests;

/// <summary>The console against one real silo process, in Chromium: sign-in, the pages, and actions that change the real system.</summary>
public sealed class ConsoleTests(OneSilo site) : IClassFixture<OneSilo>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> CreateWorkerAsync(string name, bool start = false, object? jobOptions = null)
    {
        await site.Api("POST", "/api/workers", new { name, queueName = name + "-q", processor = "demo", concurrency = 2, jobOptions = jobOptions ?? new { attempts = 1 } });
        if (start)
        {
            await site.Api("POST", $"/api/workers/{name}/start");
        }

        return name + "-q";
    }

    private async Task<string> StatusOf(string worker) => (await site.Api("GET", $"/api/workers/{worker}/status")).GetProperty("status").GetString()!;

    [Fact]
    public async Task SignIn_WithAKey_OpensASessionCookie_ThatHoldsNoKey_AndSignOut_EndsIt()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync(site.Url(0, "/ui/"));
        await ConsoleSite.ExpectAtAsync(page, "/ui/signin?returnUrl=%2Fui%2F");
        await ConsoleSite.ScreenshotAsync(page, "signin");

        await page.FillAsync("#apiKey", "zt_not_a_key");
        await page.ClickAsync("#signin");
        await Expect(page.Locator("#signin-error")).ToContainTextAsync("INVALID_API_KEY");

        await page.FillAsync("#apiKey", ConsoleKeys.Admin);
        await page.ClickAsync("#signin");
        await Expect(page.Locator("#who")).ToHaveTextAsync("console-admin (admin)");
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "zt_session");
        Assert.True(session.HttpOnly, "the session cookie is HttpOnly");
        Assert.True(session.Secure, "the session cookie is Secure outside Development");
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.DoesNotContain(ConsoleKeys.Admin, string.Join(';', (await page.Context.CookiesAsync()).Select(c => c.Value)), StringComparison.Ordinal);
        var stored = await page.EvaluateAsync<string>("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)");
        Assert.Equal("{}{}", stored);

        await page.ClickAsync("#signout");
        await ConsoleSite.ExpectAtAsync(page, "/ui/signin");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "zt_session");
        await page.GotoAsync(site.Url(0, "/ui/#/workers"));
        await ConsoleSite.ExpectAtAsync(page, "/ui/signin?returnUrl=", then: ".+$");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WorkersPage_ListsACreatedWorker_WithItsQueueAndStatus()
    {
        await CreateWorkerAsync("listed");
        var page = await site.SignedInAsync(ConsoleKeys.Admin);
        await page.GotoAsync(site.Url(0, "/ui/#/workers"));
        var row = page.Locator("#workers tr[data-key='listed']");
        await Expect(row).ToContainTextAsync("listed-q");
        await Expect(row).ToContainTextAsync("stopped");
        await ConsoleSite.ScreenshotAsync(page, "workers");

        // The filter narrows the list to what the API answers for it.
        await page.GotoAsync(site.Url(0, "/ui/#/workers?status=running"));
        await Expect(page.Locator("#workers tr[data-key='listed']")).ToHaveCountAsync(0);
        await page.GotoAsync(site.Url(0, "/ui/#/workers?name=list"));
        await Expect(page.Locator("#workers tbody tr")).ToHaveCountAsync(1);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task StartAndStop_FromTheWorkerPage_ChangeTheRealWorker_AndShowTheServicesMessage()
    {
        await CreateWorkerAsync("buttons");
        var page = await site.SignedInAsync(ConsoleKeys.Admin);
        await page.GotoAsync(site.Url(0, "/ui/#/workers/buttons"));
        await Expect(page.Locator("#worker-status")).ToHaveTextAsync("stopped");

        Assert.Equal("Worker 'buttons' started.", await ConsoleSite.ActAsync(page, "start"));
        Assert.Equal("running", await StatusOf("buttons"));
        await Expect(page.Locator("#worker-status")).ToHaveTextAsync("running");
        await Expect(page.Locator("#replicas tbody tr")).ToHaveCountAsync(1);
        await ConsoleSite.ScreenshotAsync(page, "worker");

        Assert.Contains("stopped", await ConsoleSite.ActAsync(page, "stop"), StringComparison.Ordinal);
        Assert.Equal("stopped", await StatusOf("buttons"));

        // Cancelling the confirmation does nothing.
        await page.ClickAsync("[data-action='start']");
        await page.ClickAsync("#confirm button[value=cancel]");
        Assert.Equal("stopped", await StatusOf("buttons"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task JobPage_ShowsTheResultOfACompletedJob_AndTheQueuePagesListIt()
    {
        var queue = await CreateWorkerAsync("results", start: true, jobOptions: new { attempts = 1, globalConcurrency = 2 });
        var id = (await site.Api("POST", $"/api/queues/{queue}/jobs", new { payload = new { message = "hello console" } })).GetProperty("id").GetString()!;
        await Eventually.True(async () => (await site.Api("GET", $"/api/queues/{queue}/jobs/{id}")).GetProperty("state").GetString() == "completed", "the job completes");

        var page = await site.SignedInAsync(ConsoleKeys.Admin);
        await page.GotoAsync(site.Url(0, $"/ui/#/queues/{queue}/jobs/{id}"));
        await Expect(page.Locator("#job-state")).ToHaveTextAsync("completed");
        await Expect(page.Locator("#job-result")).ToContainTextAsync("\"processed\": true");
        await Expect(page.Locator("#job-result")).ToContainTextAsync("\"worker\": \"results\"");
        await Expect(page.Locator("#job-log")).ToContainTextAsync("#1  step 4 of 4 done");   // the demo processor logs each step
        // The parts a page leaves out (no error, no headers) leave nothing behind, not a stray "null".
        Assert.Equal(0, await page.EvaluateAsync<int>("() => [...document.getElementById('page').childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).length"));
        await ConsoleSite.ScreenshotAsync(page, "job");

        await page.GotoAsync(site.Url(0, $"/ui/#/queues/{queue}?state=completed"));
        await Expect(page.Locator($"#jobs tr[data-key='{id}']")).ToContainTextAsync("completed");
        await Expect(page.Locator("#queue-limits")).ToHaveTextAsync("Limits: at most 2 running at once");
        await ConsoleSite.ScreenshotAsync(page, "jobs");
        await page.GotoAsync(site.Url(0, "/ui/#/queues"));
        await Expect(page.Locator($"#queues tr[data-key='{queue}']")).ToBeVisibleAsync();
        await ConsoleSite.ScreenshotAsync(page, "queues");

        // Lookup by id opens the same job.
        await page.GotoAsync(site.Url(0, $"/ui/#/queues/{queue}"));
        await page.FillAsync("#job-lookup input[name=id]", id);
        await page.ClickAsync("#job-lookup button");
        await Expect(page.Locator("#job-state")).ToHaveTextAsync("completed");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AFlowsParentPage_ShowsItsChildren_AndAChildLinksToItsParent()
    {
        var parents = await CreateWorkerAsync("flow-parents", start: true);
        var kids = await CreateWorkerAsync("flow-kids", start: true);
        var flow = await site.Api("POST", "/api/flows", new
        {
            queue = parents, payload = new { message = "report" },
            children = new object[] { new { queue = kids, payload = new { message = "part 1" } }, new { queue = kids, payload = new { message = "part 2" } } },
        });
        var id = flow.GetProperty("id").GetString()!;
        var kid = flow.GetProperty("children")[1].GetProperty("id").GetString()!;
        await Eventually.True(async () => (await site.Api("GET", $"/api/queues/{parents}/jobs/{id}")).GetProperty("state").GetString() == "completed", "the parent completes");

        var page = await site.SignedInAsync(ConsoleKeys.Admin);
        await page.GotoAsync(site.Url(0, $"/ui/#/queues/{parents}/jobs/{id}"));
        await Expect(page.Locator("#job-children tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#job-children tr[data-key='1']")).ToContainTextAsync("completed");
        await ConsoleSite.ScreenshotAsync(page, "flow-parent");

        await page.ClickAsync($"#job-children tr[data-key='1'] a");
        await Expect(page.Locator("#job-parent")).ToContainTextAsync($"Child 1 of {parents} / {id}");
        Assert.EndsWith($"/jobs/{kid}", page.Url, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task DeadLetterRetry_FromThePage_RunsTheJobAgain()
    {
        var queue = await CreateWorkerAsync("dlq", start: true, jobOptions: new { attempts = 1 });
        var id = (await site.Api("POST", $"/api/queues/{queue}/jobs", new { payload = new { fail = true, message = "boom" } })).GetProperty("id").GetString()!;
        JsonElement job = default;
        await Eventually.True(async () => (job = await site.Api("GET", $"/api/queues/{queue}/jobs/{id}")).GetProperty("state").GetString() == "failed", "the job is dead-lettered");
        var firstStart = job.GetProperty("startedAt").GetString();

        var page = await site.SignedInAsync(ConsoleKeys.Admin);
        await page.GotoAsync(site.Url(0, $"/ui/#/queues/{queue}/dead-letters"));
        await Expect(page.Locator($"#dead-letters tr[data-key='{id}']")).ToContainTextAsync("boom");
        await ConsoleSite.ScreenshotAsync(page, "dead-letters");
        await page.CheckAsync($"#dead-letters tr[data-key='{id}'] input[type=checkbox]");
        await ConsoleSite.ActAsync(page, "retry-dead-letters");

        // It ran again: a new start, and (failing again, with one attempt) back among the dead letters.
        await Eventually.True(
            async () =>
            {
                job = await site.Api("GET", $"/api/queues/{queue}/jobs/{id}");
                return job.GetProperty("state").GetString() == "failed" && job.GetProperty("startedAt").GetString() != firstStart;
            },
            "the retried job runs again");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AViewer_SeesNoActionButtons_AndTheServiceRefusesAForgedAction()
    {
        await CreateWorkerAsync("guarded");
        var page = await site.SignedInAsync(ConsoleKeys.Viewer);
        await Expect(page.Locator("#who")).ToHaveTextAsync("console-viewer (viewer)");
        await page.GotoAsync(site.Url(0, "/ui/#/workers/guarded"));
        await Expect(page.Locator("#worker-status")).ToHaveTextAsync("stopped");
        await Expect(page.Locator("[data-action]")).ToHaveCountAsync(0);
        await page.GotoAsync(site.Url(0, "/ui/#/queues"));
        await Expect(page.Locator("#queues tr[data-key='guarded-q']")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-action]")).ToHaveCountAsync(0);

        // The same request a button would send, forged from the page with the session's antiforgery token: the role refuses it.
        var forged = await page.EvaluateAsync<JsonElement>(@"async () => {
            const session = await (await fetch('/ui/session')).json();
            const r = await fetch('/api/workers/guarded/start', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-TOKEN': session.antiforgeryToken }, body: '{}' });
            return { status: r.status, body: await r.json() };
        }");
        Assert.Equal(403, forged.GetProperty("status").GetInt32());
        Assert.Equal("FORBIDDEN", forged.GetProperty("body").GetProperty("code").GetString());
        Assert.Equal("stopped", await StatusOf("guarded"));
        await page.Context.CloseAsync();

        // An admin's session without the antiforgery token (what a cross-site form could send) is refused before any route.
        var admin = await site.SignedInAsync(ConsoleKeys.Admin);
        var noToken = await admin.EvaluateAsync<JsonElement>(@"async () => {
            const r = await fetch('/api/workers/guarded/start', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
            return { status: r.status, body: await r.json() };
        }");
        Assert.Equal(400, noToken.GetProperty("status").GetInt32());
        Assert.Equal("ANTIFORGERY_TOKEN_INVALID", noToken.GetProperty("body").GetProperty("code").GetString());
        Assert.Equal("stopped", await StatusOf("guarded"));
        await admin.Context.CloseAsync();
    }

    [Fact]
    public async Task TheOrleansDashboard_LoadsOnlyAfterSignIn()
    {
        var page = await site.SignedInAsync(ConsoleKeys.Viewer, path: "/dashboard/");
        // The dashboard's own script renders the cluster from its JSON API (which answered with the session).
        await Expect(page.Locator("body")).ToContainTextAsync("Silos", new() { Timeout = 30_000 });
        await ConsoleSite.ScreenshotAsync(page, "dashboard");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheSchedulesPage_ListsASchedule_AndTriggersItsJob()
    {
        await site.Api("POST", "/api/schedules", new { id = "console-hourly", queue = "console-sched-q", cron = "0 * * * *", timeZone = "Europe/Berlin" });
        var page = await site.SignedInAsync(ConsoleKeys.Admin);
        await page.GotoAsync(site.Url(0, "/ui/#/schedules"));
        var row = page.Locator("#schedules tr[data-key='console-hourly']");
        await Expect(row).ToContainTextAsync("cron 0 * * * * (Europe/Berlin)");
        await ConsoleSite.ScreenshotAsync(page, "schedules");

        var notice = await ConsoleSite.ActAsync(page, "trigger-console-hourly");
        Assert.StartsWith("Schedule 'console-hourly' triggered: job ", notice, StringComparison.Ordinal);
        var job = notice["Schedule 'console-hourly' triggered: job ".Length..].TrimEnd('.');
        Assert.Equal("console-hourly", (await site.Api("GET", $"/api/queues/console-sched-q/jobs/{job}")).GetProperty("headers").GetProperty("schedule-id").GetString());

        await ConsoleSite.ActAsync(page, "pause-console-hourly");
        Assert.True((await site.Api("GET", "/api/schedules/console-hourly")).GetProperty("schedule").GetProperty("paused").GetBoolean());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ResourcesAndClusterPages_ShowTheSilo()
    {
        var page = await site.SignedInAsync(ConsoleKeys.Admin);
        await page.GotoAsync(site.Url(0, "/ui/#/cluster"));
        await Expect(page.Locator("#active-silos")).ToHaveTextAsync("1");
        await Expect(page.Locator("#silos tbody tr")).ToHaveCountAsync(1);
        await ConsoleSite.ScreenshotAsync(page, "cluster");
        await page.GotoAsync(site.Url(0, "/ui/#/resources"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Resources and costs");
        await Expect(page.Locator("#alerts")).ToBeVisibleAsync();   // the cluster's alerts (none, or those raised meanwhile)
        await ConsoleSite.ScreenshotAsync(page, "resources");
        await page.Context.CloseAsync();
    }
}
