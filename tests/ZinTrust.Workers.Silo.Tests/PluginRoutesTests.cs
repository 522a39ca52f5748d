using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>/api/plugins: against the shared host (no plugins) and a host with two plugins registered.</summary>
[Collection(nameof(SiloCollection))]
public sealed class PluginRoutesTests(SiloFixture fixture)
{
    private sealed class AuditPlugin : IWorkerPlugin
    {
        public string Name => "audit";

        public ValueTask OnJobCompleteAsync(PluginJobCompletedContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnJobFailedAsync(PluginJobFailedContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class NightThrottle : IWorkerPlugin
    {
        public string Name => "night-throttle";

        public ValueTask<JobStartDecision> OnJobStartAsync(PluginJobContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(JobStartDecision.Proceed);
    }

    private static HttpClient Client(WebApplicationFactory<Program> host, string key)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    [Fact]
    public async Task Plugins_AreListedInRunOrder_SwitchedByAdmins_AndUnknownNamesAreNotFound()
    {
        await using var factory = new SiloFactory();
        using var host = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddZinTrustWorkers(w => w
            .AddPlugin(new AuditPlugin())
            .AddPlugin<NightThrottle>(order: -1))));
        using var admin = Client(host, TestKeys.Admin);
        using var viewer = Client(host, TestKeys.Viewer);

        var list = await (await viewer.Get("/api/plugins")).Json();
        var plugins = list.GetProperty("plugins").EnumerateArray().ToArray();
        Assert.Equal(["night-throttle", "audit"], plugins.Select(p => p.Str("name")));
        Assert.All(plugins, p => Assert.True(p.GetProperty("enabled").GetBoolean()));
        Assert.Equal(["jobComplete", "jobFailed"], plugins[1].GetProperty("hooks").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(typeof(NightThrottle).FullName, plugins[0].Str("type"));
        Assert.Equal(-1, plugins[0].GetProperty("order").GetInt32());

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Post("/api/plugins/audit/disable")).StatusCode);
        var disabled = await admin.Post("/api/plugins/audit/disable");
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.False((await disabled.Json()).GetProperty("plugin").GetProperty("enabled").GetBoolean());
        var after = await (await viewer.Get("/api/plugins")).Json();
        Assert.Equal([true, false], after.GetProperty("plugins").EnumerateArray().Select(p => p.GetProperty("enabled").GetBoolean()));
        Assert.False(host.Services.GetRequiredService<PluginHost>().Settings.IsEnabled("audit"));   // this silo at once

        var enabled = await admin.Post("/api/plugins/audit/enable");
        Assert.True((await enabled.Json()).GetProperty("plugin").GetProperty("enabled").GetBoolean());
        Assert.True(after.GetProperty("version").GetInt64() < (await (await viewer.Get("/api/plugins")).Json()).GetProperty("version").GetInt64());

        var missing = await admin.Post("/api/plugins/nobody/enable");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(WorkersErrorCodes.PluginNotFound, (await missing.Json()).Str("code"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Post("/api/plugins/nobody/disable")).StatusCode);
    }

    [Fact]
    public async Task WithoutPlugins_TheListIsEmpty_AndEveryNameIsUnknown()
    {
        var list = await (await fixture.Client.Get("/api/plugins")).Json();

        Assert.Empty(list.GetProperty("plugins").EnumerateArray());
        Assert.True(list.GetProperty("ok").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client.Post("/api/plugins/audit/disable")).StatusCode);
    }
}
