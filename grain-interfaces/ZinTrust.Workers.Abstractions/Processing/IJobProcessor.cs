namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// Application code that runs jobs. It is called outside grain turns, possibly many times at once (up to the
/// worker's concurrency), and must honour <see cref="JobContext.CancellationToken"/>: it fires on timeout,
/// on cancel and on shutdown. Delivery is at-least-once: make side effects idempotent (use <see cref="JobContext.JobId"/>).
/// </summary>
public interface IJobProcessor
{
    /// <summary>Runs one attempt. The return value (JSON-serialisable, or null) becomes the job's result;
    /// an exception fails the attempt (retried while attempts remain); <see cref="UnrecoverableJobException"/>
    /// dead-letters the job at once.</summary>
    Task<object?> ProcessAsync(JobContext context);
}

/// <summary>A processor whose payload is deserialised (System.Text.Json, web defaults) to <typeparamref name="TPayload"/>.</summary>
public interface IJobProcessor<in TPayload>
{
    Task<object?> ProcessAsync(TPayload payload, JobContext context);
}
