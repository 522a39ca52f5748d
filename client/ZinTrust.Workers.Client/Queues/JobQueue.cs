using System.Text.Json;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>A typed queue over an Orleans cluster client.</summary>
public sealed class JobQueue<TPayload> : IJobQueue<TPayload>
{
    private readonly IQueueGrain queue;

    public JobQueue(IClusterClient client, string name)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (WorkerValidation.CheckQueueName(name) is { } error)
        {
            throw error.ToException();
        }

        Name = name;
        queue = client.GetGrain<IQueueGrain>(name);
    }

    public string Name { get; }

    public Task<EnqueueResult> EnqueueAsync(TPayload payload, JobEnqueueOptions? options = null, CancellationToken cancellationToken = default) =>
        queue.Enqueue(new EnqueueRequest
        {
            Payload = JsonSerializer.Serialize(payload, JobContext.JsonOptions),
            Priority = options?.Priority,
            Delay = options?.Delay,
            IdempotencyKey = options?.IdempotencyKey,
            Attempts = options?.Attempts,
            Backoff = options?.Backoff,
            Timeout = options?.Timeout,
            Name = options?.Name,
        }).WaitAsync(cancellationToken);

    public Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken = default) => queue.GetJob(jobId).WaitAsync(cancellationToken);

    public Task<CancelResult> CancelAsync(string jobId, CancellationToken cancellationToken = default) => queue.Cancel(jobId).WaitAsync(cancellationToken);
}
