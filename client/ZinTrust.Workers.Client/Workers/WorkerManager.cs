using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>An <see cref="IWorkerManager"/> over an Orleans cluster client.</summary>
public sealed class WorkerManager(IClusterClient client) : IWorkerManager
{
    public Task<WorkerInfo> CreateAsync(WorkerDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Worker(definition.Name).Create(definition).WaitAsync(cancellationToken);
    }

    public Task<WorkerInfo> RegisterAsync(WorkerDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Worker(definition.Name).Register(definition).WaitAsync(cancellationToken);
    }

    public Task<WorkerInfo> UpdateAsync(string name, WorkerUpdate update, CancellationToken cancellationToken = default) =>
        Worker(name).Update(update).WaitAsync(cancellationToken);

    public Task<WorkerInfo?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        Worker(name).Get().WaitAsync(cancellationToken);

    public Task DeleteAsync(string name, CancellationToken cancellationToken = default) => Worker(name).Delete().WaitAsync(cancellationToken);

    public Task<IReadOnlyList<WorkerIndexEntry>> ListAsync(bool includeInactive = false, CancellationToken cancellationToken = default) =>
        client.GetGrain<IWorkerRegistryGrain>(0).List(includeInactive).WaitAsync(cancellationToken);

    public Task<WorkerInfo> StartAsync(string name, CancellationToken cancellationToken = default) => Worker(name).Start().WaitAsync(cancellationToken);

    public Task<WorkerInfo> StopAsync(string name, CancellationToken cancellationToken = default) => Worker(name).Stop().WaitAsync(cancellationToken);

    public Task<WorkerInfo> RestartAsync(string name, CancellationToken cancellationToken = default) => Worker(name).Restart().WaitAsync(cancellationToken);

    public Task<WorkerStatusReport> GetStatusAsync(string name, CancellationToken cancellationToken = default) =>
        Worker(name).GetStatus().WaitAsync(cancellationToken);

    public Task<WorkerVersionSpec> RegisterVersionAsync(string name, WorkerVersionSpec version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        return Worker(name).RegisterVersion(version).WaitAsync(cancellationToken);
    }

    public Task<WorkerVersionList> ListVersionsAsync(string name, CancellationToken cancellationToken = default) =>
        Worker(name).ListVersions().WaitAsync(cancellationToken);

    public Task<WorkerInfo> ActivateVersionAsync(string name, string version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        return Worker(name).ActivateVersion(version).WaitAsync(cancellationToken);
    }

    private IWorkerGrain Worker(string name)
    {
        if (WorkerValidation.CheckWorkerName(name) is { } error)
        {
            throw error.ToException();
        }

        return client.GetGrain<IWorkerGrain>(name);
    }
}
