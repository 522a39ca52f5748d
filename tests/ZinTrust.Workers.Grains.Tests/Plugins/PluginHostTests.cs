using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The plugin host without a cluster: order, names, and which hooks a plugin has.</summary>
public sealed class PluginHostTests
{
    private static PluginHost Host(params (IWorkerPlugin Plugin, int Order)[] plugins)
    {
        var catalog = new PluginCatalog();
        foreach (var (plugin, order) in plugins)
        {
            catalog.Add(_ => plugin, order);
        }

        return new PluginHost(
            catalog,
            new ServiceCollection().BuildServiceProvider(),
            grains: null!,   // not asked: nothing here refreshes
            Options.Create(new PluginOptions()),
            Options.Create(new WorkersOptions()),
            NullLogger<PluginHost>.Instance);
    }

    [Fact]
    public void Plugins_RunByOrder_ThenByRegistration()
    {
        var journal = new HookJournal();
        using var host = Host((new RecordingPlugin("third", journal), 5), (new RecordingPlugin("second", journal), 0), (new RecordingPlugin("other", journal), 0), (new RecordingPlugin("first", journal), -1));

        Assert.Equal(["first", "second", "other", "third"], host.Plugins.Select(p => p.Name));
        Assert.True(host.HasPlugins);
    }

    [Fact]
    public void Hooks_AreOnlyThoseThePluginImplements()
    {
        using var host = Host((new ThrottlePlugin("throttle", "q", TimeSpan.Zero), 0), (new RecordingPlugin("recorder", new HookJournal()), 0));

        Assert.Equal([PluginHook.JobStart], host.Plugins[0].Hooks);
        Assert.Equal(Enum.GetValues<PluginHook>(), host.Plugins[1].Hooks);
        Assert.Equal("jobStart", PluginHost.HookName(PluginHook.JobStart));
        Assert.Equal("healthCheck", PluginHost.HookName(PluginHook.HealthCheck));
    }

    [Theory]
    [InlineData("ab", "other", "must match")]
    [InlineData("twice", "twice", "Two plugins are named 'twice'")]
    [InlineData("has space", "other", "must match")]
    public void BadNames_FailTheSiloStart(string first, string second, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Host((new ThrottlePlugin(first, "q", TimeSpan.Zero), 0), (new ThrottlePlugin(second, "q", TimeSpan.Zero), 0)));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoPlugins_NothingToDo()
    {
        using var host = Host();

        Assert.False(host.HasPlugins);
        Assert.False(host.Enabled.HasJobHooks);
    }

    [Fact]
    public void Defer_RefusesNegativeOrOverlongDelays_AndNeedsAReason()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => JobStartDecision.Defer(TimeSpan.FromSeconds(-1), "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => JobStartDecision.Defer(JobStartDecision.MaxDelay + TimeSpan.FromTicks(1), "x"));
        Assert.Throws<ArgumentException>(() => JobStartDecision.Defer(TimeSpan.Zero, " "));
        Assert.False(JobStartDecision.Proceed.IsDeferred);
        Assert.True(JobStartDecision.Defer(TimeSpan.Zero, "now").IsDeferred);
    }

    [Fact]
    public void Options_AreValidated_NamingTheSetting()
    {
        var result = new PluginOptionsValidator().Validate(null, new PluginOptions { HookTimeout = TimeSpan.Zero, RefreshInterval = TimeSpan.FromMilliseconds(10) });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Workers:Plugins:HookTimeout", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Workers:Plugins:RefreshInterval", StringComparison.Ordinal));
        Assert.True(new PluginOptionsValidator().Validate(null, new PluginOptions()).Succeeded);
    }
}
