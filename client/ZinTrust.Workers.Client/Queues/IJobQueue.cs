using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>A typed view of one queue: payloads are serialised with System.Text.Json (web defaults).</summary>
public interface IJobQueue<in TPayload>
{
    string Name { get; }

    /// <summary>Enqueues a job; returns once the cluster has stored it.</summary>
    Task<EnqueueResult> EnqueueAsync(TPayload payload, JobEnqueueOptions? options = null, CancellationToken cancellationToken = default);

    Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken = default);

    Task<CancelResult> CancelAsync(string jobId, CancellationToken cancellationToken = default);
}
