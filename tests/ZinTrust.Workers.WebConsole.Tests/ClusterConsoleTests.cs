using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ZinTrust.Workers.WebConsole.Tests;

/// <summary>The console and the Orleans dashboard against a cluster of three silo processes.</summary>
public sealed class ClusterConsoleTests(ThreeSilos site) : IClassFixture<ThreeSilos>
{
    [Fact]
    public async Task TheClusterPage_ShowsEverySilo_AndAWorkersPage_ItsReplicasOnThem()
    {
        await site.Api("POST", "/api/workers", new { name = "spread", queueName = "spread-q", processor = "demo", replicas = 3 });
        await site.Api("POST", "/api/workers/spread/start");
        var page = await site.SignedInAsync(ConsoleKeys.Admin);

        await page.GotoAsync(site.Url(0, "/ui/#/cluster"));
        await Expect(page.Locator("#active-silos")).ToHaveTextAsync("3");
        await Expect(page.Locator("#silos tbody tr")).ToHaveCountAsync(3);
        await ConsoleSite.ScreenshotAsync(page, "cluster-3-silos");

        await page.GotoAsync(site.Url(0, "/ui/#/workers/spread"));
        await Expect(page.Locator("#replicas tbody tr")).ToHaveCountAsync(3);
        var status = await site.Api("GET", "/api/workers/spread/status");
        foreach (var replica in status.GetProperty("replicas").EnumerateArray())
        {
            // Each replica's silo, as the API names it, is on the page.
            await Expect(page.Locator("#replicas")).ToContainTextAsync(replica.GetProperty("silo").GetString()!);
        }

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ASessionOpenedOnOneSilo_HoldsOnAnother_AndItsActionsChangeTheCluster()
    {
        await site.Api("POST", "/api/workers", new { name = "roaming", queueName = "roaming-q", processor = "demo" });
        var page = await site.SignedInAsync(ConsoleKeys.Admin, silo: 0);

        // Another silo (another port of the same host: the browser sends the same cookie) accepts the session and its token.
        await page.GotoAsync(site.Url(2, "/ui/#/workers/roaming"));
        await Expect(page.Locator("#who")).ToHaveTextAsync("console-admin (admin)");
        await Expect(page.Locator("#worker-status")).ToHaveTextAsync("stopped");
        Assert.Equal("Worker 'roaming' started.", await ConsoleSite.ActAsync(page, "start"));
        Assert.Equal("running", (await site.Api("GET", "/api/workers/roaming/status", silo: 1)).GetProperty("status").GetString());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheOrleansDashboard_BehindSignIn_ShowsTheThreeSilos()
    {
        var page = await site.SignedInAsync(ConsoleKeys.Viewer, silo: 1, path: "/dashboard/");

        // The dashboard's cluster overview counts the silos from its own grain's view of the membership.
        await Eventually.True(
            async () => (await page.EvaluateAsync<System.Text.Json.JsonElement>("async () => (await fetch('DashboardCounters')).json()"))
                .GetProperty("totalActiveHostCount").GetInt32() == 3,
            "the dashboard counts three active silos");
        await Expect(page.Locator("body")).ToContainTextAsync("Silos", new() { Timeout = 30_000 });
        await ConsoleSite.ScreenshotAsync(page, "dashboard-3-silos");
        await page.Context.CloseAsync();
    }
}
