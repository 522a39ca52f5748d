using Microsoft.Extensions.Hosting;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>
/// How long the host may take to stop after SIGTERM. Replicas drain for <see cref="WorkersOptions.ShutdownDrainTimeout"/>
/// (docs/configuration.md: 10 s) inside the host's stop, and the whole stop is bounded by the generic host's
/// <see cref="HostOptions.ShutdownTimeout"/>, which the host leaves at .NET's default. An orchestrator's grace period
/// (compose stop_grace_period, Kubernetes terminationGracePeriodSeconds) must be longer, or it kills the process mid-drain.
/// </summary>
public static class ShutdownBudget
{
    public static TimeSpan Drain => new WorkersOptions().ShutdownDrainTimeout;

    public static TimeSpan HostShutdown => new HostOptions().ShutdownTimeout;

    public static TimeSpan Longest => Drain > HostShutdown ? Drain : HostShutdown;
}
