using System.Text.Json;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>A typed queue over an Orleans cluster client.</summary>
internal sealed class JobQueue<TPayload> : IJobQueue<TPayload>
{
    private readonly QueuePartitions queues;   // sends each call to the queue's partition (one, unless the queue has more)
    private readonly EnqueueRetry retry;
    private readonly JobResultWaiter waiter;
    private readonly EnqueueBatchers? batchers;

    public JobQueue(IClusterClient client, EnqueueRetry retry, JobResultWaiter waiter, EnqueueBatchers? batchers, string name)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (WorkerValidation.CheckQueueName(name) is { } error)
        {
            throw error.ToException();
        }

        Name = name;
        queues = QueuePartitions.Of(client);
        this.retry = retry;
        this.waiter = waiter;
        this.batchers = batchers;
    }

    public string Name { get; }

    public Task<EnqueueResult> EnqueueAsync(TPayload payload, JobEnqueueOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = Request(payload, options);
        // One producer span over the retries; its context goes in the envelope, and Orleans' calls become its children.
        return WorkersActivity.SendAsync(Name, 1, null, span =>
        {
            var sent = request.WithContext(span);
            // Concurrent callers share grain calls (EnqueueBatchers, one per partition grain); each attempt of each caller is its own job in them.
            return retry.ExecuteAsync(Name, ct => queues.EnqueueAsync(Name, sent, batchers).WaitAsync(ct), cancellationToken);
        });
    }

    public Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IEnumerable<TPayload> payloads, JobEnqueueOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        if (options?.IdempotencyKey is not null)
        {
            throw new ArgumentException("An idempotency key names one job; EnqueueManyAsync gives each job one of its own.", nameof(options));
        }

        var requests = payloads.Select(payload => Request(payload, options)).ToArray();
        if (requests.Length == 0)
        {
            return Task.FromResult<IReadOnlyList<EnqueueResult>>([]);
        }

        return WorkersActivity.SendAsync(Name, requests.Length, null, span =>
        {
            IReadOnlyList<EnqueueRequest> sent = [.. requests.Select(r => r.WithContext(span))];
            return retry.ExecuteAsync(Name, ct => queues.EnqueueBatchAsync(Name, sent).WaitAsync(ct), cancellationToken);
        });
    }

    public Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken = default) => queues.ForJob(Name, jobId).GetJob(jobId).WaitAsync(cancellationToken);

    public Task<CancelResult> CancelAsync(string jobId, CancellationToken cancellationToken = default) => queues.ForJob(Name, jobId).Cancel(jobId).WaitAsync(cancellationToken);

    public Task<JobRecord> WaitForResultAsync(string jobId, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        waiter.WaitAsync(queues.ForJob(Name, jobId), Name, jobId, timeout, cancellationToken);

    public async Task<TResult?> WaitForResultAsync<TResult>(string jobId, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ResultOf<TResult>(await WaitForResultAsync(jobId, timeout, cancellationToken).ConfigureAwait(false));

    public async Task<JobRecord> EnqueueAndWaitAsync(TPayload payload, TimeSpan timeout, JobEnqueueOptions? options = null, CancellationToken cancellationToken = default)
    {
        var ack = await EnqueueAsync(payload, options, cancellationToken).ConfigureAwait(false);
        return await WaitForResultAsync(ack.JobId, timeout, cancellationToken).ConfigureAwait(false);
    }

    public async Task<TResult?> EnqueueAndWaitAsync<TResult>(TPayload payload, TimeSpan timeout, JobEnqueueOptions? options = null, CancellationToken cancellationToken = default) =>
        ResultOf<TResult>(await EnqueueAndWaitAsync(payload, timeout, options, cancellationToken).ConfigureAwait(false));

    private EnqueueRequest Request(TPayload payload, JobEnqueueOptions? options) => new()
    {
        Payload = JsonSerializer.Serialize(payload, JobContext.JsonOptions),
        Priority = options?.Priority,
        Delay = options?.Delay,
        RunAt = options?.RunAt,
        // Fixed before the first attempt: a retry after a lost answer then finds the job instead of adding a second. A key of
        // our own only has to outlast our retries, so the queue forgets it then rather than after its policy's day.
        IdempotencyKey = options?.IdempotencyKey ?? (retry.Enabled ? $"client:{Guid.NewGuid():N}" : null),
        IdempotencyTtl = options?.IdempotencyKey is null ? (retry.Enabled ? retry.KeyWindow : null) : options.IdempotencyTtl,
        Attempts = options?.Attempts,
        Backoff = options?.Backoff,
        Timeout = options?.Timeout,
        Name = options?.Name,
        Headers = options?.Headers,
        Group = options?.Group,
    };

    private static TResult? ResultOf<TResult>(JobRecord job) =>
        job.Result is null ? default : JsonSerializer.Deserialize<TResult>(job.Result, JobContext.JsonOptions);
}
