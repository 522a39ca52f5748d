namespace ZinTrust.Workers.Abstractions;

/// <summary>Why and when a worker became <see cref="WorkerStatus.Failed"/>; cleared by the next start or restart.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerFailure")]
public sealed record WorkerFailure
{
    /// <summary>A stable code: <see cref="WorkersErrorCodes.HealthCheckFailed"/>, or the start failure's
    /// (<see cref="WorkersErrorCodes.WorkerStartFailed"/>, <see cref="WorkersErrorCodes.ProcessorNotFound"/>, PROCESSOR_SPEC_…).</summary>
    [Id(0)] public required string Code { get; init; }

    /// <summary>What happened, in words fit for an operator (never an exception's text).</summary>
    [Id(1)] public required string Reason { get; init; }

    [Id(2)] public DateTimeOffset At { get; init; }
}
