namespace ZinTrust.Workers.Abstractions;

/// <summary>Bounds of a result watch (<see cref="IQueueGrain.WatchJob"/>): a queue clamps the lifetime it is asked for to these.</summary>
public static class JobWatchLimits
{
    public static readonly TimeSpan MinLifetime = TimeSpan.FromSeconds(1);

    /// <summary>A client that dies without unwatching leaves a registration behind for at most this long (plus the queue's one-minute sweep).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(15);
}
