using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>What a failing backend looks like to API callers: the kind of failure, never a driver's own text (hosts, ports,
/// user names); the log keeps the details.</summary>
[Collection(nameof(SiloCollection))]
public sealed class FailureTextTests(SiloFixture fixture)
{
    [Fact]
    public async Task Readiness_OfABackendThatFails_SaysSo_WithoutTheDriversText()
    {
        var services = fixture.Factory.Services;
        var settings = new HostSettings();
        settings.Workers.PersistenceDriver = "db";
        settings.ConnectionStrings["default"] = "Host=127.0.0.1;Port=1;Username=secret_user;Password=p;Database=d";
        var probe = new ReadinessProbe(
            settings,
            services,
            services.GetRequiredService<ILocalSiloDetails>(),
            services.GetRequiredService<IClusterMembershipService>(),
            NullLogger<ReadinessProbe>.Instance);

        var (ready, checks) = await probe.CheckAsync(TestContext.Current.CancellationToken);

        Assert.False(ready);
        Assert.StartsWith("unavailable: ", checks["postgres:default"], StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", checks["postgres:default"], StringComparison.Ordinal);
        Assert.DoesNotContain("secret_user", checks["postgres:default"], StringComparison.Ordinal);
    }
}
