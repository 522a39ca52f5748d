using System.Text.Json;

namespace ZinTrust.Workers.Server;

/// <summary>
/// The object form of a worker's <c>healthCheck</c> (its string form names a registered check):
/// <c>{"kind": "http", "url", "expectStatus"?}</c>, <c>{"kind": "tcp", "host", "port"}</c> or <c>{"kind": "registered", "name"}</c>,
/// each with <c>timeoutMs</c> (100..60000, default 5000), <c>intervalMs</c> (1000..86400000, default WORKER_HEALTH_CHECK_INTERVAL)
/// and <c>failureThreshold</c> (1..100, default 2).
/// </summary>
public sealed class HealthCheckRequest
{
    /// <summary>registered | http | tcp.</summary>
    public string? Kind { get; init; }
    public string? Name { get; init; }
    public string? Url { get; init; }
    public int? ExpectStatus { get; init; }
    public string? Host { get; init; }
    public int? Port { get; init; }
    public int? TimeoutMs { get; init; }
    public long? IntervalMs { get; init; }
    public int? FailureThreshold { get; init; }
}

/// <summary>
/// The original's <c>infrastructure</c> block: <c>driver</c> (the job store: memory | redis), <c>persistence</c> (where the worker's
/// definition and status live) and <c>redis</c> (<c>{"env": true}</c>: the cluster's REDIS_* settings).
/// </summary>
public sealed class InfrastructureRequest
{
    public string? Driver { get; init; }
    public PersistenceRequest? Persistence { get; init; }
    public InfrastructureRedisRequest? Redis { get; init; }
}

/// <summary>
/// The original's <c>persistence</c> block (at the top level of a definition or under <c>infrastructure</c>): <c>driver</c> (memory |
/// redis | db) is the worker's <c>persistenceDriver</c>; <c>connection</c> and <c>table</c> (db) and <c>keyPrefix</c> (redis) are
/// accepted when they name what the cluster uses; <c>client</c> (a connected database object in the original's code API) is refused.
/// </summary>
public sealed class PersistenceRequest
{
    public string? Driver { get; init; }
    public string? Connection { get; init; }
    public string? Table { get; init; }
    public string? KeyPrefix { get; init; }
    public JsonElement Client { get; init; }
}

/// <summary><c>{"env": true}</c>: the cluster's Redis settings (a worker has no Redis connection of its own).</summary>
public sealed class InfrastructureRedisRequest
{
    public bool? Env { get; init; }
}
