namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// A domain error with a stable, machine-readable <see cref="Code"/> (for example <c>WORKER_NOT_FOUND</c>).
/// It crosses grain boundaries intact, so the REST facade and clients map it without parsing messages.
/// </summary>
[GenerateSerializer, Alias("zt.WorkersException")]
public sealed class WorkersException : Exception
{
    public WorkersException()
        : this(WorkersErrorCodes.InternalError, "Unexpected error.")
    {
    }

    public WorkersException(string message)
        : this(WorkersErrorCodes.InternalError, message)
    {
    }

    public WorkersException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = WorkersErrorCodes.InternalError;
    }

    public WorkersException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    public WorkersException(string code, string message, TimeSpan retryAfter)
        : base(message)
    {
        Code = code;
        RetryAfter = retryAfter;
    }

    /// <summary>The stable error code; one of <see cref="WorkersErrorCodes"/>.</summary>
    [Id(0)]
    public string Code { get; private set; }

    /// <summary>When the same call may succeed if retried (for example <c>QUEUE_FULL</c>); null when retrying soon will not help or is not known to.</summary>
    [Id(1)]
    public TimeSpan? RetryAfter { get; private set; }
}
