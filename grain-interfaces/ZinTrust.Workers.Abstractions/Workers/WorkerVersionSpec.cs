namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// A registered version of a worker: what changes when it is active. Fields left null keep the worker's definition as it is
/// (so a version that names only a processor runs with the worker's concurrency and job options).
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerVersionSpec")]
public sealed record WorkerVersionSpec
{
    /// <summary>Semantic version: <c>MAJOR.MINOR.PATCH</c> (numbers).</summary>
    [Id(0)] public required string Version { get; init; }
    [Id(1)] public string? Description { get; init; }

    /// <summary>The registered processor this version runs; null: the worker's.</summary>
    [Id(2)] public string? Processor { get; init; }
    [Id(3)] public int? Concurrency { get; init; }
    [Id(4)] public JobOptions? JobOptions { get; init; }

    /// <summary>The registered health check this version's replicas run; null: the worker's own.</summary>
    [Id(5)] public string? HealthCheck { get; init; }

    /// <summary>Set by the worker when it registers the version.</summary>
    [Id(6)] public DateTimeOffset RegisteredAt { get; init; }

    /// <summary>The definition <paramref name="current"/> becomes with this version active.</summary>
    public WorkerDefinition Apply(WorkerDefinition current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return current with
        {
            Version = Version,
            Processor = Processor ?? current.Processor,
            ProcessorSpec = Processor is null ? current.ProcessorSpec : null,   // a version naming a registered processor leaves the spec
            Concurrency = Concurrency ?? current.Concurrency,
            JobOptions = JobOptions ?? current.JobOptions,
        };
    }
}

/// <summary>A worker's registered versions, the active one and the last rolling update.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerVersionList")]
public sealed record WorkerVersionList
{
    [Id(0)] public required string Active { get; init; }

    /// <summary>Oldest first.</summary>
    [Id(1)] public IReadOnlyList<WorkerVersionSpec> Versions { get; init; } = [];
    [Id(2)] public VersionRollout? Rollout { get; init; }
}

/// <summary>A rolling update from one version to another: replicas move one at a time, each drained before its successor starts.</summary>
[GenerateSerializer, Immutable, Alias("zt.VersionRollout")]
public sealed record VersionRollout
{
    [Id(0)] public required string From { get; init; }
    [Id(1)] public required string To { get; init; }
    [Id(2)] public RolloutState State { get; init; }

    /// <summary>Replicas running <see cref="To"/> so far.</summary>
    [Id(3)] public int Replaced { get; init; }
    [Id(4)] public int Replicas { get; init; }
    [Id(5)] public DateTimeOffset StartedAt { get; init; }
    [Id(6)] public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Why a rollout failed (a stable code and a safe message), or null.</summary>
    [Id(7)] public string? Reason { get; init; }
}

[GenerateSerializer]
public enum RolloutState
{
    /// <summary>Replicas are moving to the new version.</summary>
    Rolling = 0,

    /// <summary>Every replica runs the new version.</summary>
    Completed = 1,

    /// <summary>A replica of the new version failed to start; the worker went back to the old version.</summary>
    RolledBack = 2,
}
