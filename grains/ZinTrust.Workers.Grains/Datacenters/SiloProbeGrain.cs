using System.Diagnostics;
using Orleans.Runtime;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>Answers pings for its silo and measures round trips to other silos' probes (the topology's latency between
/// regions); pinned to its silo by <see cref="SiloPinnedPlacement"/>.</summary>
[SiloPinnedPlacement]
internal sealed class SiloProbeGrain(ILocalSiloDetails silo) : Grain, ISiloProbeGrain
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public Task Ping()
    {
        SiloPinnedPlacement.EnsureHome(this, silo);
        return Task.CompletedTask;
    }

    public async Task<double?> MeasureTo(string target)
    {
        SiloPinnedPlacement.EnsureHome(this, silo);
        var probe = GrainFactory.GetGrain<ISiloProbeGrain>(target);
        try
        {
            await probe.Ping().WaitAsync(ProbeTimeout);   // the first call may activate the target's probe: not measured
            long started = Stopwatch.GetTimestamp();
            await probe.Ping().WaitAsync(ProbeTimeout);
            return Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        }
        catch (Exception ex) when (ex is TimeoutException or SiloUnavailableException or OrleansException)
        {
            return null;
        }
    }
}
