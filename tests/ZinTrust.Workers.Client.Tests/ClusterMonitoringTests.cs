using Microsoft.Extensions.DependencyInjection;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client.Tests;

/// <summary><see cref="IClusterMonitoring"/> against the shared 2-silo cluster (its alert evaluator and resource monitor at their defaults).</summary>
[Collection(nameof(ClientClusterCollection))]
public sealed class ClusterMonitoringTests(ClientCluster fixture)
{
    [Fact]
    public async Task AnOperatorsStopAndStart_OfTheResourceMonitor_AreItsPersistedSwitch()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var services = fixture.Services();
        var monitoring = services.GetRequiredService<IClusterMonitoring>();

        ResourceMonitorStatus whileStopped;
        var stopped = await monitoring.StopResourceMonitoringAsync(ct);
        try
        {
            whileStopped = await monitoring.GetResourcesAsync(ct);
        }
        finally
        {
            await monitoring.StartResourceMonitoringAsync(ct);
        }

        var after = await monitoring.GetResourcesAsync(ct);
        Assert.True(stopped.StoppedByOperator);
        Assert.Equal((ResourceMonitorGate.StoppedByOperator, true), (whileStopped.Gate, whileStopped.StoppedByOperator));
        Assert.False(after.StoppedByOperator);
        Assert.NotEqual(ResourceMonitorGate.StoppedByOperator, after.Gate);
    }

    [Fact]
    public async Task Alerts_Trends_History_AndCosts_AreTheClustersOwn()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var services = fixture.Services();
        var monitoring = services.GetRequiredService<IClusterMonitoring>();

        var alerts = await monitoring.GetAlertsAsync(AlertStateFilter.Active, 5, ct);
        var trends = await monitoring.GetTrendsAsync(TimeSpan.FromHours(3), ct);
        var history = await monitoring.GetResourceHistoryAsync(limit: 2, cancellationToken: ct);

        Assert.Equal(TimeSpan.FromSeconds(30), alerts.Status.Interval);   // the evaluator's default, read from the cluster
        Assert.Equal(Enum.GetValues<AlertRule>().Length, alerts.Status.Rules.Count);
        Assert.True(alerts.Status.Rules.Single(r => r.Rule == AlertRule.QueueDepth).Enabled);
        Assert.True(alerts.Alerts.Count <= 5);
        Assert.All(alerts.Alerts, a => Assert.True(a.IsActive));
        Assert.Equal(TimeSpan.FromHours(3), trends.To - trends.From);
        Assert.True(history.Count <= 2);
        Assert.Null(await monitoring.GetCostsAsync(ct));   // no cost rates configured
    }

    [Fact]
    public async Task OutOfRangeArguments_AreRefused_WithTheArgumentNamed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var services = fixture.Services();
        var monitoring = services.GetRequiredService<IClusterMonitoring>();

        async Task<string?> Refused(Func<Task> call) => (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(call)).ParamName;

        Assert.Equal("limit", await Refused(() => monitoring.GetAlertsAsync(AlertStateFilter.All, 0, ct)));
        Assert.Equal("limit", await Refused(() => monitoring.GetAlertsAsync(AlertStateFilter.All, IClusterMonitoring.MaxAlerts + 1, ct)));
        Assert.Equal("state", await Refused(() => monitoring.GetAlertsAsync((AlertStateFilter)7, 10, ct)));
        Assert.Equal("window", await Refused(() => monitoring.GetTrendsAsync(TimeSpan.Zero, ct)));
        Assert.Equal("window", await Refused(() => monitoring.GetTrendsAsync(TimeSpan.FromHours(25), ct)));
        Assert.Equal("window", await Refused(() => monitoring.GetTrendsAsync(TimeSpan.FromMinutes(90), ct)));
        Assert.Equal("limit", await Refused(() => monitoring.GetResourceHistoryAsync(limit: 0, cancellationToken: ct)));
        Assert.Equal("limit", await Refused(() => monitoring.GetResourceHistoryAsync(limit: IClusterMonitoring.MaxSnapshots + 1, cancellationToken: ct)));
        var backwards = await Assert.ThrowsAsync<ArgumentException>(() => monitoring.GetResourceHistoryAsync(from: DateTimeOffset.UtcNow, to: DateTimeOffset.UtcNow.AddHours(-1), cancellationToken: ct));
        Assert.Equal("from", backwards.ParamName);
    }
}
