using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>A typed view of one queue: payloads and results are JSON (System.Text.Json, web defaults).</summary>
public interface IJobQueue<in TPayload>
{
    string Name { get; }

    /// <summary>
    /// Enqueues a job; returns once the cluster has stored it. Transient failures are retried
    /// (<see cref="EnqueueRetryOptions"/>) with one idempotency key for all attempts: the caller's, or, when retries
    /// are on and the caller gave none, one the client generates (<c>client:&lt;guid&gt;</c>). After a retry,
    /// <see cref="EnqueueResult.Created"/> may be false although this call created the job (the first answer was lost).
    /// </summary>
    Task<EnqueueResult> EnqueueAsync(TPayload payload, JobEnqueueOptions? options = null, CancellationToken cancellationToken = default);

    Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Enqueues several jobs in one call: the queue stores them together (all, or none) and answers with each job's id, in
    /// order. The options apply to every job; an idempotency key cannot (each job gets one of its own, so a retry after a
    /// lost answer finds the jobs instead of adding them twice).
    /// </summary>
    Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IEnumerable<TPayload> payloads, JobEnqueueOptions? options = null, CancellationToken cancellationToken = default);

    Task<CancelResult> CancelAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until the job settles and returns the completed job (its <see cref="JobRecord.Result"/> is the
    /// processor's result as JSON). A retry with backoff is not settled: the wait goes on across attempts.
    /// </summary>
    /// <param name="jobId">The job, from <see cref="EnqueueResult.JobId"/>.</param>
    /// <param name="timeout">How long to wait (positive, or <see cref="Timeout.InfiniteTimeSpan"/>).</param>
    /// <param name="cancellationToken">Stops waiting (throws <see cref="OperationCanceledException"/>); the job is not affected.</param>
    /// <exception cref="JobFailedException">The job was dead-lettered; carries its error and failure reason.</exception>
    /// <exception cref="JobCancelledException">The job was cancelled.</exception>
    /// <exception cref="TimeoutException">The job did not settle in time. It keeps running: cancel it with
    /// <see cref="CancelAsync"/> if the result is no longer wanted.</exception>
    /// <exception cref="WorkersException">JOB_NOT_FOUND: unknown, or no longer retained (see the queue's <c>retainCompleted</c>).</exception>
    Task<JobRecord> WaitForResultAsync(string jobId, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="WaitForResultAsync(string, TimeSpan, CancellationToken)"/>, returning the result
    /// deserialised to <typeparamref name="TResult"/> (default when the processor returned nothing). A result that
    /// does not fit throws <see cref="System.Text.Json.JsonException"/>.</summary>
    Task<TResult?> WaitForResultAsync<TResult>(string jobId, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary><see cref="EnqueueAsync"/>, then <see cref="WaitForResultAsync(string, TimeSpan, CancellationToken)"/>.
    /// The timeout covers the wait once the job is stored; the enqueue is bounded by <see cref="EnqueueRetryOptions.Budget"/>.</summary>
    Task<JobRecord> EnqueueAndWaitAsync(TPayload payload, TimeSpan timeout, JobEnqueueOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary><see cref="EnqueueAsync"/>, then <see cref="WaitForResultAsync{TResult}(string, TimeSpan, CancellationToken)"/>.</summary>
    Task<TResult?> EnqueueAndWaitAsync<TResult>(TPayload payload, TimeSpan timeout, JobEnqueueOptions? options = null, CancellationToken cancellationToken = default);
}
