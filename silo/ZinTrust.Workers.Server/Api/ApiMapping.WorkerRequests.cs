using System.Text.Json;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>Where this cluster keeps jobs and worker state: what a definition's infrastructure block is checked against.</summary>
public sealed record WorkerStorageSettings(string QueueDriver, string PersistenceDriver, string DbConnection, string DbTable, string RedisKeyPrefix)
{
    public static WorkerStorageSettings From(HostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(settings.QueueDriver, settings.Workers.PersistenceDriver, settings.DbConnectionName, settings.DbTable, settings.StateKeyPrefix);
    }
}

/// <summary>
/// Worker definitions from create and update requests. The fields the two share (the declared health check, the infrastructure
/// and persistence blocks) go through the same helpers, so a body means the same in a POST and a PATCH.
/// </summary>
public static partial class ApiMapping
{
    /// <summary>The job stores that exist here (QUEUE_DRIVER).</summary>
    public static IReadOnlyList<string> QueueDrivers { get; } = ["memory", "redis"];

    public static WorkerDefinition ToDefinition(WorkerCreateRequest request, HostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        var defaults = settings.Workers;
        var nameError = WorkerValidation.CheckWorkerName(request.Name);
        if (nameError is not null)
        {
            throw nameError.ToException();
        }

        var queues = ToQueues(request.Queues);
        var queueName = request.QueueName ?? (queues is { Count: > 0 } ? queues[0].Name : null);
        var queueError = WorkerValidation.CheckQueueName(queueName);
        if (queueError is not null)
        {
            throw queueError.ToException();
        }

        var (placement, failover) = DatacenterMapping.FromDatacenter(request.Datacenter);
        var definition = new WorkerDefinition
        {
            Name = request.Name!,
            QueueName = queueName!,
            Queues = queues is { Count: > 0 } ? queues : null,
            Version = request.Version ?? "1.0.0",
            Concurrency = request.Concurrency ?? defaults.DefaultConcurrency,
            Processor = request.Processor,
            ProcessorSpec = ToProcessorSpec(request.ProcessorSpec),
            AutoStart = request.AutoStart,
            ActiveStatus = request.ActiveStatus ?? defaults.WorkerEnabledByDefault,
            JobOptions = ToJobOptions(request.JobOptions, defaults.DefaultJobOptions()),
            Features = request.Features ?? new Dictionary<string, bool>(),
            Replicas = request.Replicas ?? 1,
            DrainTimeout = request.DrainTimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : TimeSpan.FromSeconds(30),
            PersistenceDriver = ToPersistenceDriver(request.PersistenceDriver, request.Persistence, request.Infrastructure, WorkerStorageSettings.From(settings)),
            CircuitBreaker = ToCircuit(request.CircuitBreaker, new CircuitBreakerOptions()),
            HealthPolicy = ToHealthPolicy(request.HealthPolicy, new WorkerHealthPolicy()),
            AutoScaling = ToScaling(request.AutoScaling, new AutoScalingOptions()),
            Region = request.Region ?? defaults.DefaultRegion,
            Placement = placement,
            Failover = failover,
            HealthCheck = ToHealthCheck(request.HealthCheck).Check,
        };
        WorkerValidation.ThrowIfInvalid(WorkerValidation.Validate(definition));
        return definition;
    }

    /// <summary>A partial update of <paramref name="current"/>: nested objects given in part keep the rest of the current ones.</summary>
    public static WorkerUpdate ToUpdate(WorkerUpdateRequest request, WorkerDefinition current, HostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(settings);
        bool? autoStart = null;
        bool clearAutoStart = false;
        switch (request.AutoStart.ValueKind)
        {
            case JsonValueKind.Undefined:
                break;
            case JsonValueKind.Null:
                clearAutoStart = true;
                break;
            case JsonValueKind.True or JsonValueKind.False:
                autoStart = request.AutoStart.GetBoolean();
                break;
            default:
                throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidBody, "autoStart must be true, false or null.");
        }

        var (check, clearCheck) = ToHealthCheck(request.HealthCheck);
        var update = new WorkerUpdate
        {
            QueueName = request.QueueName,
            Queues = ToQueues(request.Queues),
            Version = request.Version,
            Concurrency = request.Concurrency,
            Processor = request.Processor,
            ProcessorSpec = ToProcessorSpec(request.ProcessorSpec),
            AutoStart = autoStart,
            ClearAutoStart = clearAutoStart,
            ActiveStatus = request.ActiveStatus,
            JobOptions = request.JobOptions is null ? null : ToJobOptions(request.JobOptions, current.JobOptions),
            Features = request.Features,
            Replicas = request.Replicas,
            DrainTimeout = request.DrainTimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            PersistenceDriver = ToPersistenceDriver(request.PersistenceDriver, request.Persistence, request.Infrastructure, WorkerStorageSettings.From(settings)),
            CircuitBreaker = request.CircuitBreaker is null ? null : ToCircuit(request.CircuitBreaker, current.CircuitBreaker),
            HealthPolicy = request.HealthPolicy is null ? null : ToHealthPolicy(request.HealthPolicy, current.HealthPolicy),
            AutoScaling = request.AutoScaling is null ? null : ToScaling(request.AutoScaling, current.AutoScaling),
            Region = request.Region,
            HealthCheck = check,
            ClearHealthCheck = clearCheck,
        };
        WorkerValidation.ThrowIfInvalid(WorkerValidation.Validate(update));
        return update;
    }

    /// <summary>
    /// A <c>healthCheck</c>: absent (nothing), null (on an update: remove it), a registered check's name (the original's form) or an
    /// object (<see cref="HealthCheckRequest"/>); its values are checked with the definition (INVALID_HEALTH_CHECK).
    /// </summary>
    public static (HealthCheckSpec? Check, bool Clear) ToHealthCheck(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Undefined:
                return (null, false);
            case JsonValueKind.Null:
                return (null, true);
            case JsonValueKind.String:
                var name = element.GetString()!;
                return WorkerValidation.IsValidCheckName(name)
                    ? (HealthCheckSpec.Registered(name), false)
                    : throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidHealthCheck, "healthCheck must name a registered health check (letters, digits, _ . : -; at most 100).");
            case JsonValueKind.Object:
                break;
            default:
                throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidHealthCheck, "healthCheck must be a registered check's name or an object {\"kind\": \"http\" | \"tcp\" | \"registered\", …}.");
        }

        HealthCheckRequest request;
        try
        {
            request = element.Deserialize<HealthCheckRequest>(ApiJson.Options)!;
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 1 } path ? $" (at healthCheck{path[1..]})" : "";
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidHealthCheck, ex.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? $"Unknown health check field{where}; a health check has kind, name, url, expectStatus, host, port, timeoutMs, intervalMs, failureThreshold."
                : $"healthCheck does not have the expected shape{where}.");
        }

        var kind = request.Kind?.Trim().ToLowerInvariant() switch
        {
            "registered" => HealthCheckKind.Registered,
            "http" => HealthCheckKind.Http,
            "tcp" => HealthCheckKind.Tcp,
            null => throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidHealthCheck, "healthCheck.kind is required: registered, http or tcp."),
            _ => throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidHealthCheck, "healthCheck.kind must be registered, http or tcp."),
        };
        return (new HealthCheckSpec
        {
            Kind = kind,
            Name = request.Name,
            Url = request.Url,
            ExpectStatus = request.ExpectStatus,
            Host = request.Host,
            Port = request.Port ?? 0,
            Timeout = request.TimeoutMs is { } timeout ? TimeSpan.FromMilliseconds(timeout) : HealthCheckSpec.DefaultTimeout,
            Interval = request.IntervalMs is { } interval ? TimeSpan.FromMilliseconds(Math.Clamp(interval, -1, (long)TimeSpan.FromDays(2).TotalMilliseconds)) : null,
            FailureThreshold = request.FailureThreshold ?? HealthCheckSpec.DefaultFailureThreshold,
        }, false);
    }

    /// <summary>
    /// The worker's persistence driver from <c>persistenceDriver</c>, the original's <c>persistence</c> block or
    /// <c>infrastructure.persistence</c> (they must agree), after checking the rest of the infrastructure block against this
    /// cluster: the job store and the persistence driver must exist here; a connection, table or key prefix must be the
    /// cluster's own (a worker cannot have storage of its own); <c>redis</c> may only say <c>{"env": true}</c>.
    /// </summary>
    public static string? ToPersistenceDriver(string? persistenceDriver, PersistenceRequest? persistence, InfrastructureRequest? infrastructure, WorkerStorageSettings storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (infrastructure is not null)
        {
            if (infrastructure.Driver is { } queueDriver && !QueueDrivers.Contains(queueDriver.Trim().ToLowerInvariant()))
            {
                throw Infrastructure($"infrastructure.driver must be one of the job stores that exist here: {string.Join(", ", QueueDrivers)}. Every queue lives in the cluster's store (QUEUE_DRIVER).");
            }

            if (infrastructure.Redis is { Env: false })
            {
                throw Infrastructure("infrastructure.redis must be {\"env\": true}: a worker has no Redis connection of its own; the cluster's REDIS_HOST, REDIS_PORT and REDIS_PASSWORD are used.");
            }

            if (persistence is not null && infrastructure.Persistence is not null)
            {
                throw Infrastructure("Give the persistence block once: at the top level or under infrastructure.");
            }
        }

        var block = persistence ?? infrastructure?.Persistence;
        if (block is null)
        {
            return persistenceDriver;
        }

        var named = block.Driver?.Trim().ToLowerInvariant();
        if (named is not null && !WorkerValidation.PersistenceDrivers.Contains(named))
        {
            throw new WorkersException(WorkersErrorCodes.InvalidPersistenceDriver,
                $"persistence.driver must be one of the drivers that exist here: memory, redis or db (db is PostgreSQL, WORKER_PERSISTENCE_DB_CONNECTION).");
        }

        if (named is not null && persistenceDriver is not null && named != persistenceDriver)
        {
            throw Infrastructure("persistenceDriver and persistence.driver differ; give one.");
        }

        var driver = persistenceDriver ?? named;
        var effective = driver ?? storage.PersistenceDriver;
        if (block.Client.ValueKind is not JsonValueKind.Undefined and not JsonValueKind.Null)
        {
            throw Infrastructure("persistence.client is a connected database object of the original's code API and cannot be sent over HTTP; name the connection instead (or leave it out).");
        }

        CheckOwn(block.Connection, "connection", "db", effective, storage.DbConnection, "WORKER_PERSISTENCE_DB_CONNECTION");
        CheckOwn(block.Table, "table", "db", effective, storage.DbTable, "WORKER_PERSISTENCE_TABLE");
        CheckOwn(block.KeyPrefix, "keyPrefix", "redis", effective, storage.RedisKeyPrefix, "WORKER_PERSISTENCE_REDIS_KEY_PREFIX");
        return driver;
    }

    public static HealthCheckResponse? ToResponse(HealthCheckSpec? check) => check is null ? null : new(
        Name(check.Kind),
        check.Name,
        check.Url,
        check.ExpectStatus,
        check.Host,
        check.Kind == HealthCheckKind.Tcp ? check.Port : null,
        (long)check.Timeout.TotalMilliseconds,
        check.Interval is { } interval ? (long)interval.TotalMilliseconds : null,
        check.FailureThreshold);

    public static WorkerFailureResponse? ToResponse(WorkerFailure? failure) => failure is null ? null : new(failure.Code, failure.Reason, failure.At);

    /// <summary>A storage setting the original let a worker choose: accepted when it names the cluster's own, refused otherwise.</summary>
    private static void CheckOwn(string? value, string field, string driver, string effectiveDriver, string clusters, string setting)
    {
        if (value is null)
        {
            return;
        }

        if (effectiveDriver != driver)
        {
            throw Infrastructure($"persistence.{field} applies to the {driver} driver only.");
        }

        if (!string.Equals(value.Trim(), clusters, StringComparison.Ordinal))
        {
            throw Infrastructure($"persistence.{field} must be the cluster's own ({setting}) or left out: worker state lives in the cluster's store, not one of the worker's.");
        }
    }

    private static WorkersException Infrastructure(string message) => new(WorkersErrorCodes.InvalidInfrastructure, message);
}
