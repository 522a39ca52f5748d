namespace ZinTrust.Workers.Abstractions;

/// <summary>What the compliance grain knows: encryptions per key, the last re-encryption sweep and the last retention run.</summary>
[GenerateSerializer, Immutable, Alias("zt.ComplianceSweeps")]
public sealed record ComplianceSweeps
{
    /// <summary>Encryptions per key id, summed over the silos' reports (each reports every 30 s: a silo that dies loses at most
    /// its last 30 s of counts, far below the warning margin).</summary>
    [Id(0)] public IReadOnlyDictionary<string, long> Encryptions { get; init; } = new Dictionary<string, long>();
    [Id(1)] public EncryptionSweep? Sweep { get; init; }
    [Id(2)] public RetentionRun? Retention { get; init; }
}

/// <summary>A re-encryption sweep: every queue's records rewritten under <see cref="KeyId"/>.</summary>
[GenerateSerializer, Immutable, Alias("zt.EncryptionSweep")]
public sealed record EncryptionSweep
{
    [Id(0)] public required string KeyId { get; init; }
    [Id(1)] public DateTimeOffset StartedAt { get; init; }

    /// <summary>Null while it runs.</summary>
    [Id(2)] public DateTimeOffset? FinishedAt { get; init; }
    [Id(3)] public int QueuesTotal { get; init; }
    [Id(4)] public int QueuesDone { get; init; }
    [Id(5)] public long Records { get; init; }

    /// <summary>Queues whose rewrite failed (retried by the next sweep); the sweep still finishes.</summary>
    [Id(6)] public IReadOnlyList<string> FailedQueues { get; init; } = [];
}

/// <summary>A retention run: finished jobs and dead letters older than <see cref="Cutoff"/> deleted.</summary>
[GenerateSerializer, Immutable, Alias("zt.RetentionRun")]
public sealed record RetentionRun
{
    [Id(0)] public DateTimeOffset At { get; init; }
    [Id(1)] public DateTimeOffset Cutoff { get; init; }
    [Id(2)] public int Queues { get; init; }
    [Id(3)] public long Deleted { get; init; }
    [Id(4)] public IReadOnlyList<string> FailedQueues { get; init; } = [];
}
