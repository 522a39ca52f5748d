namespace ZinTrust.Workers.Abstractions;

/// <summary>One point of a worker's monitoring history, taken every WORKER_HEALTH_CHECK_INTERVAL while it runs.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerMonitoringSample")]
public sealed record WorkerMonitoringSample
{
    [Id(0)] public DateTimeOffset At { get; init; }
    [Id(1)] public WorkerStatus Status { get; init; }
    [Id(2)] public bool? Healthy { get; init; }
    [Id(3)] public int Replicas { get; init; }
    [Id(4)] public int InFlight { get; init; }

    /// <summary>Attempts completed and failed by the running replicas since they started.</summary>
    [Id(5)] public long Completed { get; init; }
    [Id(6)] public long Failed { get; init; }
    [Id(7)] public int Waiting { get; init; }
    [Id(8)] public int Active { get; init; }
    [Id(9)] public int DeadLettered { get; init; }
    [Id(10)] public TimeSpan AverageDuration { get; init; }
    [Id(11)] public bool Paused { get; init; }
    [Id(12)] public WorkerHealthScore? Health { get; init; }
    [Id(13)] public CircuitState Circuit { get; init; }
}
