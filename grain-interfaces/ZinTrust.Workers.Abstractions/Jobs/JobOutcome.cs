namespace ZinTrust.Workers.Abstractions;

/// <summary>What a replica reports about one leased job.</summary>
[GenerateSerializer, Immutable, Alias("zt.JobOutcome")]
public sealed record JobOutcome
{
    [Id(0)] public required string JobId { get; init; }
    [Id(1)] public long LeaseToken { get; init; }
    [Id(2)] public JobOutcomeKind Kind { get; init; }

    /// <summary>The result as JSON text (Completed).</summary>
    [Id(3)] public string? Result { get; init; }
    [Id(4)] public string? Error { get; init; }

    /// <summary>How long the processor ran.</summary>
    [Id(5)] public TimeSpan Duration { get; init; }

    /// <summary>How long a <see cref="JobOutcomeKind.Deferred"/> job waits before it may run again (zero: at once).</summary>
    [Id(6)] public TimeSpan Delay { get; init; }

    /// <summary>Lines the processor logged that were not sent before (<see cref="JobContext.Log"/>); stored with the job before
    /// the outcome applies.</summary>
    [Id(7)] public JobLogBatch? Logs { get; init; }
}
