namespace ZinTrust.Workers.Grains;

/// <summary>
/// A stored job field that is encrypted could not be decrypted: it was altered, moved from another job or field, or its key is
/// not in the ring. The message names the queue, the job, the field and why, never the data.
/// </summary>
[GenerateSerializer, Alias("zt.JobDataIntegrityException")]
public sealed class JobDataIntegrityException : Exception
{
    public JobDataIntegrityException()
    {
    }

    public JobDataIntegrityException(string message)
        : base(message)
    {
    }

    public JobDataIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public JobDataIntegrityException(string queue, string jobId, string field, string reason)
        : base($"The {field} of job '{jobId}' in queue '{queue}' cannot be decrypted: {reason}.")
    {
        Queue = queue;
        JobId = jobId;
        Field = field;
    }

    [Id(0)] public string? Queue { get; private set; }

    [Id(1)] public string? JobId { get; private set; }

    [Id(2)] public string? Field { get; private set; }
}
