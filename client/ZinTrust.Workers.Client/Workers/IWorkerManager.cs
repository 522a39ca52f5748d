using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>Manages workers from another .NET application.</summary>
public interface IWorkerManager
{
    Task<WorkerInfo> CreateAsync(WorkerDefinition definition, CancellationToken cancellationToken = default);

    Task<WorkerInfo> UpdateAsync(string name, WorkerUpdate update, CancellationToken cancellationToken = default);

    Task<WorkerInfo?> GetAsync(string name, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<WorkerIndexEntry>> ListAsync(bool includeInactive = false, CancellationToken cancellationToken = default);

    Task<WorkerInfo> StartAsync(string name, CancellationToken cancellationToken = default);

    Task<WorkerInfo> StopAsync(string name, CancellationToken cancellationToken = default);

    Task<WorkerInfo> RestartAsync(string name, CancellationToken cancellationToken = default);

    Task<WorkerStatusReport> GetStatusAsync(string name, CancellationToken cancellationToken = default);
}
