namespace ZinTrust.Workers.Grains;

/// <summary>
/// The resource monitor: per-silo snapshots on an interval, gated by the seed's table (see
/// <see cref="ResourceMonitorPolicy"/>). The silo host fills these from the seed's environment variables.
/// </summary>
public sealed class ResourceMonitorOptions
{
    /// <summary>WORKER_RESOURCE_MONITORING: the global gate; false blocks monitoring whatever workers ask. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>WORKER_RESOURCE_MONITORING_INTERVAL (seconds): time between snapshots. Default: 30 s (the seed's).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Period of the monitor's reminder, the durable backstop that brings it back (and re-arms its interval timer)
    /// after the silo hosting it stops. At least the reminder service's minimum. Default: 1 min.
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Snapshots kept per silo, in memory; older ones (and any older than a day) are dropped. Default: 2880 (a day at 30 s).</summary>
    public int HistoryLimit { get; set; } = 2880;
}
