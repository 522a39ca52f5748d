namespace ZinTrust.Workers.AppHost.Hosting;

/// <summary>What every silo of the model is wired to: the stores, the cluster's ids and the API keys.</summary>
/// <param name="Redis">Jobs, worker-state keys and reminders (QUEUE_DRIVER=redis).</param>
/// <param name="Database">Membership and worker state (CLUSTER_DRIVER=postgres, WORKER_PERSISTENCE_DRIVER=db), as
/// <c>ConnectionStrings__default</c>.</param>
/// <param name="ClusterId">CLUSTER_ID.</param>
/// <param name="ServiceId">SERVICE_ID.</param>
/// <param name="ApiKeys">WORKER_API_KEYS entries (a secret parameter).</param>
public sealed record SiloBackends(
    IResourceBuilder<RedisResource> Redis,
    IResourceBuilder<PostgresDatabaseResource> Database,
    IResourceBuilder<ParameterResource> ClusterId,
    IResourceBuilder<ParameterResource> ServiceId,
    IResourceBuilder<ParameterResource> ApiKeys);
