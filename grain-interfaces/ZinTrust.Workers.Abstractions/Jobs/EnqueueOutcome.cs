namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// What became of one job of <see cref="IQueueGrain.EnqueueEach"/>: its acknowledgement, or the error a single
/// <see cref="IQueueGrain.Enqueue"/> of it would have thrown (its stable code, message and retry-after).
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.EnqueueOutcome")]
public sealed record EnqueueOutcome
{
    /// <summary>The acknowledgement; null when the job was refused.</summary>
    [Id(0)]
    public EnqueueResult? Result { get; init; }

    /// <summary>The refusal's stable code (<see cref="WorkersErrorCodes"/>); null when accepted.</summary>
    [Id(1)]
    public string? ErrorCode { get; init; }

    [Id(2)]
    public string? ErrorMessage { get; init; }

    [Id(3)]
    public TimeSpan? RetryAfter { get; init; }

    public static EnqueueOutcome Accepted(EnqueueResult result) => new() { Result = result };

    public static EnqueueOutcome Refused(WorkersException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new() { ErrorCode = error.Code, ErrorMessage = error.Message, RetryAfter = error.RetryAfter };
    }

    /// <summary>The refusal as the <see cref="WorkersException"/> a single enqueue would have thrown (only when refused).</summary>
    public WorkersException ToException() => RetryAfter is { } after
        ? new WorkersException(ErrorCode ?? WorkersErrorCodes.InternalError, ErrorMessage ?? "The job was refused.", after)
        : new WorkersException(ErrorCode ?? WorkersErrorCodes.InternalError, ErrorMessage ?? "The job was refused.");
}
