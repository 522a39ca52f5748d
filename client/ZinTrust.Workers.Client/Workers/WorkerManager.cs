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

    public Task<CanaryStatus> StartCanaryAsync(string name, CanaryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Canary(name).Start(request, By).WaitAsync(cancellationToken);
    }

    public Task<CanaryStatus?> GetCanaryAsync(string name, CancellationToken cancellationToken = default) => Canary(name).GetStatus().WaitAsync(cancellationToken);

    public Task<CanaryStatus> PauseCanaryAsync(string name, CancellationToken cancellationToken = default) => Canary(name).Pause(By).WaitAsync(cancellationToken);

    public Task<CanaryStatus> ResumeCanaryAsync(string name, CancellationToken cancellationToken = default) => Canary(name).Resume(By).WaitAsync(cancellationToken);

    public Task<CanaryStatus> RollbackCanaryAsync(string name, CancellationToken cancellationToken = default) => Canary(name).Rollback(By).WaitAsync(cancellationToken);

    public Task<CanaryStatus> CompleteCanaryAsync(string name, CancellationToken cancellationToken = default) => Canary(name).Complete(By).WaitAsync(cancellationToken);

    private static string By => ClientGrains.By;

    private ICanaryGrain Canary(string name)
    {
        _ = Worker(name);   // the name's rules
        return client.GetGrain<ICanaryGrain>(name);
    }

    private IWorkerGrain Worker(string name) => ClientGrains.Worker(client, name);
}
