using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>Flows: a parent job that runs once its children (possibly in other queues) have settled, with their outcomes.</summary>
public interface IJobFlows
{
    /// <summary>
    /// Creates <paramref name="flow"/>. With <paramref name="idempotencyKey"/> (or the root job's own key) a retry returns the
    /// same jobs and creates only those an earlier call did not; without one, the client makes one that covers its own
    /// retries of this call. INVALID_FLOW, or an enqueue's own codes, before anything is created.
    /// </summary>
    Task<FlowJob> CreateAsync(JobFlow flow, string? idempotencyKey = null, CancellationToken cancellationToken = default);
}

internal sealed class JobFlowsClient(IClusterClient client) : IJobFlows
{
    public Task<FlowJob> CreateAsync(JobFlow flow, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return JobFlows.CreateAsync(client, flow, idempotencyKey ?? flow.Job.IdempotencyKey ?? $"client-flow:{Guid.NewGuid():N}", cancellationToken);
    }
}
