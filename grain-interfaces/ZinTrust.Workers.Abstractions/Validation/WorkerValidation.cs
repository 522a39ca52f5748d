using System.Text.RegularExpressions;

namespace ZinTrust.Workers.Abstractions;

/// <summary>The validation rules of worker definitions and jobs (the seed's rules, one place).</summary>
public static partial class WorkerValidation
{
    public const int MaxConcurrency = 1000;
    public const int MaxReplicas = 64;
    public const int MaxAttempts = 1000;
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>Characters a job group key may have.</summary>
    public const int MaxGroupLength = 128;
    public const int MaxJobIdLength = 100;
    public const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>The persistence drivers a worker may name.</summary>
    public static IReadOnlySet<string> PersistenceDrivers { get; } = new HashSet<string>(StringComparer.Ordinal) { "memory", "redis", "db" };

    /// <summary>The feature flags a worker may set (booleans only): <see cref="WorkerFeatures.Known"/>.</summary>
    public static IReadOnlySet<string> KnownFeatures => WorkerFeatures.Known;

    [GeneratedRegex("^[a-zA-Z0-9_-]{3,50}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^\d{1,9}\.\d{1,9}\.\d{1,9}$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    [GeneratedRegex("^[a-zA-Z0-9_.:-]{1,100}$", RegexOptions.CultureInvariant)]
    private static partial Regex ProcessorPattern();

    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    public static bool IsValidVersion(string? version) => version is not null && VersionPattern().IsMatch(version);

    /// <summary>A registered health check's name: the processor names' rule.</summary>
    public static bool IsValidCheckName(string? name) => name is not null && ProcessorPattern().IsMatch(name);

    /// <summary>Job ids are generated (32 hex characters) but looked up from user input.</summary>
    public static bool IsValidJobId(string? id) => id is { Length: > 0 and <= MaxJobIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static ValidationError? CheckWorkerName(string? name) => name switch
    {
        null or "" => new(WorkersErrorCodes.MissingRequiredField, "name", "Worker name is required."),
        _ when !IsValidName(name) => new(WorkersErrorCodes.InvalidWorkerName, "name", "Worker name must match ^[a-zA-Z0-9_-]{3,50}$."),
        _ => null,
    };

    public static ValidationError? CheckQueueName(string? name) => name switch
    {
        null or "" => new(WorkersErrorCodes.MissingRequiredField, "queueName", "Queue name is required."),
        _ when !IsValidName(name) => new(WorkersErrorCodes.InvalidQueueName, "queueName", "Queue name must match ^[a-zA-Z0-9_-]{3,50}$."),
        _ => null,
    };

    /// <summary>The first problem of a multi-queue worker's queues: valid distinct names, weights 1..1000, at most 10, and the
    /// worker's queue (<paramref name="primary"/>, when known) among them.</summary>
    public static ValidationError? CheckQueues(IReadOnlyList<WorkerQueue>? queues, string? primary)
    {
        if (queues is null || queues.Count == 0)
        {
            return null;
        }

        if (queues.Count > WorkerQueue.MaxQueues)
        {
            return new(WorkersErrorCodes.InvalidQueues, "queues", $"A worker consumes at most {WorkerQueue.MaxQueues} queues.");
        }

        foreach (var queue in queues)
        {
            if (queue is null || CheckQueueName(queue.Name) is not null)
            {
                return new(WorkersErrorCodes.InvalidQueues, "queues", "Each queue needs a name matching ^[a-zA-Z0-9_-]{3,50}$.");
            }

            if (queue.Weight is < 1 or > WorkerQueue.MaxWeight)
            {
                return new(WorkersErrorCodes.InvalidQueues, "queues", $"Queue '{queue.Name}': weight must be 1..{WorkerQueue.MaxWeight}.");
            }
        }

        if (queues.Select(q => q.Name).Distinct(StringComparer.Ordinal).Count() != queues.Count)
        {
            return new(WorkersErrorCodes.InvalidQueues, "queues", "A queue is listed twice.");
        }

        return primary is not null && !queues.Any(q => q.Name == primary)
            ? new(WorkersErrorCodes.InvalidQueues, "queues", $"The worker's queue '{primary}' must be one of its queues.")
            : null;
    }

    /// <summary>Every problem of a definition, in field order.</summary>
    public static IReadOnlyList<ValidationError> Validate(WorkerDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = new List<ValidationError>();
        Add(errors, CheckWorkerName(definition.Name));
        Add(errors, CheckQueueName(definition.QueueName));
        Add(errors, CheckQueues(definition.Queues, definition.QueueName));
        if (!IsValidVersion(definition.Version))
        {
            errors.Add(new(WorkersErrorCodes.InvalidVersion, "version", "Version must look like x.y.z (for example 1.0.0)."));
        }

        CheckConcurrency(errors, definition.Concurrency);
        CheckReplicas(errors, definition.Replicas);
        if (definition.Processor is not null && !ProcessorPattern().IsMatch(definition.Processor))
        {
            errors.Add(new(WorkersErrorCodes.InvalidProcessor, "processor", "Processor must be a registered processor name (letters, digits, _ . : -; at most 100)."));
        }

        CheckProcessorChoice(errors, definition.Processor, definition.ProcessorSpec);
        CheckFeatures(errors, definition.Features);
        CheckJobOptions(errors, definition.JobOptions);
        CheckDrain(errors, definition.DrainTimeout);
        CheckDriver(errors, definition.PersistenceDriver);
        CheckCircuit(errors, definition.CircuitBreaker);
        CheckHealthPolicy(errors, definition.HealthPolicy);
        CheckScaling(errors, definition.AutoScaling);
        CheckRegion(errors, definition.Region);
        CheckHealthCheck(errors, definition.HealthCheck);
        CheckDatacenterFeature(errors, definition);
        return errors;
    }

    /// <summary>Every problem of a version to register.</summary>
    public static IReadOnlyList<ValidationError> Validate(WorkerVersionSpec version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var errors = new List<ValidationError>();
        if (string.IsNullOrEmpty(version.Version))
        {
            errors.Add(new(WorkersErrorCodes.MissingRequiredField, "version", "Version is required."));
        }
        else if (!IsValidVersion(version.Version))
        {
            errors.Add(new(WorkersErrorCodes.InvalidVersion, "version", "Version must look like x.y.z (for example 1.0.0)."));
        }

        if (version.Description is { Length: > 500 })
        {
            errors.Add(new(WorkersErrorCodes.InvalidVersion, "description", "Description is at most 500 characters."));
        }

        if (version.Processor is not null && !ProcessorPattern().IsMatch(version.Processor))
        {
            errors.Add(new(WorkersErrorCodes.InvalidProcessor, "processor", "Processor must be a registered processor name (letters, digits, _ . : -; at most 100)."));
        }

        if (version.HealthCheck is not null && !ProcessorPattern().IsMatch(version.HealthCheck))
        {
            errors.Add(new(WorkersErrorCodes.InvalidProcessor, "healthCheck", "Health check must be a registered health check's name (letters, digits, _ . : -; at most 100)."));
        }

        if (version.Concurrency is { } c)
        {
            CheckConcurrency(errors, c);
        }

        if (version.JobOptions is not null)
        {
            CheckJobOptions(errors, version.JobOptions);
        }

        return errors;
    }

    /// <summary>Orders two valid versions by semantic-version precedence (major, then minor, then patch, as numbers).</summary>
    public static int CompareVersions(string left, string right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        static (long, long, long) Parts(string v)
        {
            var parts = v.Split('.');
            return parts.Length == 3 && long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var a)
                && long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var b) && long.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out var c)
                ? (a, b, c) : (-1, -1, -1);
        }

        return Parts(left).CompareTo(Parts(right));
    }

    /// <summary>Every problem of an update (only the fields it sets).</summary>
    public static IReadOnlyList<ValidationError> Validate(WorkerUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var errors = new List<ValidationError>();
        if (update.QueueName is not null)
        {
            Add(errors, CheckQueueName(update.QueueName));
        }

        if (update.Queues is { Count: > 0 } queues)
        {
            Add(errors, CheckQueues(queues, update.QueueName));
        }

        if (update.Version is not null && !IsValidVersion(update.Version))
        {
            errors.Add(new(WorkersErrorCodes.InvalidVersion, "version", "Version must look like x.y.z (for example 1.0.0)."));
        }

        if (update.Concurrency is { } c)
        {
            CheckConcurrency(errors, c);
        }

        if (update.Replicas is { } r)
        {
            CheckReplicas(errors, r);
        }

        if (update.Processor is not null && !ProcessorPattern().IsMatch(update.Processor))
        {
            errors.Add(new(WorkersErrorCodes.InvalidProcessor, "processor", "Processor must be a registered processor name (letters, digits, _ . : -; at most 100)."));
        }

        CheckProcessorChoice(errors, update.Processor, update.ProcessorSpec);
        if (update.Features is not null)
        {
            CheckFeatures(errors, update.Features);
        }

        if (update.JobOptions is not null)
        {
            CheckJobOptions(errors, update.JobOptions);
        }

        if (update.DrainTimeout is { } d)
        {
            CheckDrain(errors, d);
        }

        CheckDriver(errors, update.PersistenceDriver);
        if (update.CircuitBreaker is not null)
        {
            CheckCircuit(errors, update.CircuitBreaker);
        }

        if (update.HealthPolicy is not null)
        {
            CheckHealthPolicy(errors, update.HealthPolicy);
        }

        if (update.AutoScaling is not null)
        {
            CheckScaling(errors, update.AutoScaling);
        }

        CheckRegion(errors, update.Region);
        CheckHealthCheck(errors, update.HealthCheck);
        if (update.HealthCheck is not null && update.ClearHealthCheck)
        {
            errors.Add(new(WorkersErrorCodes.InvalidHealthCheck, "healthCheck", "Give a health check or clear it, not both."));
        }

        return errors;
    }

    /// <summary>A region: 2..32 lower-case letters, digits and '-' (for example us-east-1).</summary>
    public static bool IsValidRegion(string? region) => region is not null && RegionPattern().IsMatch(region);

    private static void CheckRegion(List<ValidationError> errors, string? region)
    {
        if (region is not null && !IsValidRegion(region))
        {
            errors.Add(new(WorkersErrorCodes.InvalidRegion, "region", "Region must be 2..32 lower-case letters, digits and '-' (for example us-east-1)."));
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    /// <summary>The first problem an options record reports about itself, as a validation error of <paramref name="field"/>.</summary>
    private static void CheckProblems(List<ValidationError> errors, IEnumerable<string>? problems, string code, string field, string label)
    {
        if (problems?.FirstOrDefault() is { } problem)
        {
            errors.Add(new(code, field, $"{label}: {problem}."));
        }
    }

    private static void CheckCircuit(List<ValidationError> errors, CircuitBreakerOptions? options) =>
        CheckProblems(errors, options?.Problems(), WorkersErrorCodes.InvalidCircuitBreaker, "circuitBreaker", "Circuit breaker");

    private static void CheckHealthPolicy(List<ValidationError> errors, WorkerHealthPolicy? policy) =>
        CheckProblems(errors, policy?.Problems(), WorkersErrorCodes.InvalidHealthPolicy, "healthPolicy", "Health policy");

    private static void CheckScaling(List<ValidationError> errors, AutoScalingOptions? scaling) =>
        CheckProblems(errors, scaling?.Problems(), WorkersErrorCodes.InvalidScaling, "autoScaling", "Auto-scaling");

    /// <summary>Problems of one enqueue request.</summary>
    public static IReadOnlyList<ValidationError> Validate(EnqueueRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<ValidationError>();
        if (request.Payload is null || request.Payload.Length > MaxPayloadBytes)
        {
            errors.Add(new(WorkersErrorCodes.InvalidPayload, "payload", $"Payload must be JSON of at most {MaxPayloadBytes} characters."));
        }

        if (request.Priority is { } p && p is < JobPriority.Min or > JobPriority.Max)
        {
            errors.Add(new(WorkersErrorCodes.InvalidPriority, "priority", $"Priority must be between {JobPriority.Min} and {JobPriority.Max} (critical 10, high 5, normal 1, low 0)."));
        }

        if (request.Delay is { } delay && (delay < TimeSpan.Zero || delay > TimeSpan.FromDays(365)))
        {
            errors.Add(new(WorkersErrorCodes.InvalidDelay, "delay", "Delay must be between 0 and 365 days."));
        }

        if (request.RunAt is not null && request.Delay is not null)
        {
            errors.Add(new(WorkersErrorCodes.InvalidDelay, "runAt", "Give delay or runAt, not both."));
        }

        if (request.IdempotencyKey is { } key && (key.Length is 0 or > MaxIdempotencyKeyLength || key.Any(char.IsControl)))
        {
            errors.Add(new(WorkersErrorCodes.InvalidIdempotencyKey, "idempotencyKey", $"Idempotency key must be 1..{MaxIdempotencyKeyLength} printable characters."));
        }

        if (request.Headers is { Count: > 0 } && JobHeaders.Problems(request.Headers).FirstOrDefault() is { } headerProblem)
        {
            errors.Add(new(WorkersErrorCodes.InvalidHeaders, "headers", headerProblem));
        }

        if (request.IdempotencyTtl is { } ttl && (ttl < TimeSpan.FromSeconds(1) || ttl > TimeSpan.FromDays(30)))
        {
            errors.Add(new(WorkersErrorCodes.InvalidIdempotencyKey, "idempotencyTtl", "An idempotency key's window must be between 1 second and 30 days."));
        }

        if (request.Attempts is { } a && a is < 1 or > MaxAttempts)
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "attempts", $"Attempts must be between 1 and {MaxAttempts}."));
        }

        if (request.Timeout is { } t && (t <= TimeSpan.Zero || t > TimeSpan.FromDays(1)))
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "timeout", "Timeout must be more than 0 and at most 1 day."));
        }

        if (request.Backoff is { } b)
        {
            CheckBackoff(errors, b);
        }

        if (request.Name is { Length: > 100 })
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "name", "Job name must be at most 100 characters."));
        }

        if (request.Children is < 0 or > JobFlow.MaxJobs || !Enum.IsDefined(request.OnChildFailure)
            || (request.Children > 0 && (request.Delay is not null || request.RunAt is not null))
            || (request.Parent is { } parent && (CheckQueueName(parent.Queue) is not null || string.IsNullOrEmpty(parent.JobId)
                || parent.JobId.Length > MaxJobIdLength || parent.Index is < 0 or >= JobFlow.MaxJobs)))
        {
            errors.Add(new(WorkersErrorCodes.InvalidFlow, "children", "A flow's job: 0..1000 children, no delay when it has children, and a valid parent."));
        }

        if (request.Group is { } group && (group.Length is 0 or > MaxGroupLength || group.Any(char.IsControl)))
        {
            errors.Add(new(WorkersErrorCodes.InvalidGroup, "group", $"A group must be 1..{MaxGroupLength} printable characters."));
        }

        return errors;
    }

    /// <summary>Throws the first error as a <see cref="WorkersException"/>.</summary>
    public static void ThrowIfInvalid(IReadOnlyList<ValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count > 0)
        {
            throw errors[0].ToException();
        }
    }

    private static void CheckDriver(List<ValidationError> errors, string? driver)
    {
        if (driver is not null && !PersistenceDrivers.Contains(driver))
        {
            errors.Add(new(WorkersErrorCodes.InvalidPersistenceDriver, "persistenceDriver", "Persistence driver must be memory, redis or db."));
        }
    }

    private static void CheckConcurrency(List<ValidationError> errors, int concurrency)
    {
        if (concurrency is < 1 or > MaxConcurrency)
        {
            errors.Add(new(WorkersErrorCodes.InvalidConcurrency, "concurrency", $"Concurrency must be between 1 and {MaxConcurrency}."));
        }
    }

    private static void CheckReplicas(List<ValidationError> errors, int replicas)
    {
        if (replicas is < 1 or > MaxReplicas)
        {
            errors.Add(new(WorkersErrorCodes.InvalidConcurrency, "replicas", $"Replicas must be between 1 and {MaxReplicas}."));
        }
    }

    private static void CheckDrain(List<ValidationError> errors, TimeSpan drain)
    {
        if (drain < TimeSpan.Zero || drain > TimeSpan.FromHours(1))
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "drainTimeout", "Drain timeout must be between 0 and 1 hour."));
        }
    }

    private static void CheckJobOptions(List<ValidationError> errors, JobOptions options)
    {
        if (options.Attempts is < 1 or > MaxAttempts)
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "jobOptions.attempts", $"Attempts must be between 1 and {MaxAttempts}."));
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromDays(1))
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "jobOptions.timeout", "Timeout must be more than 0 and at most 1 day."));
        }

        if (options.MaxStalls is < 0 or > 100)
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "jobOptions.maxStalls", "Max stalls must be between 0 and 100."));
        }

        if (options.LeaseDuration < TimeSpan.FromMilliseconds(200) || options.LeaseDuration > TimeSpan.FromHours(1))
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "jobOptions.leaseDuration", "Lease duration must be between 200 ms and 1 hour."));
        }

        if (options.RetainCompleted is < 0 or > 1_000_000)
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "jobOptions.retainCompleted", "Retain completed must be between 0 and 1000000."));
        }

        if (options.IdempotencyTtl < TimeSpan.FromMinutes(1) || options.IdempotencyTtl > TimeSpan.FromDays(30))
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "jobOptions.idempotencyTtl", "Idempotency TTL must be between 1 minute and 30 days."));
        }

        if (options.MaxWaiting is < 1 or > 100_000_000)
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "jobOptions.maxWaiting", "Max waiting must be between 1 and 100000000 (or unset for no limit)."));
        }

        if (options.GlobalConcurrency is < 1 or > 100_000)
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "jobOptions.globalConcurrency", "Global concurrency must be between 1 and 100000 (or unset for no limit)."));
        }

        if (options.GroupConcurrency is < 1 or > 100_000)
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "jobOptions.groupConcurrency", "Group concurrency must be between 1 and 100000 (or unset for no limit)."));
        }

        if (options.RateLimit is { } rate && (rate.Max is < 1 or > 1_000_000 || rate.Duration < TimeSpan.FromMilliseconds(10) || rate.Duration > TimeSpan.FromDays(1)))
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "jobOptions.rateLimit", "A rate limit is max 1..1000000 starts per durationMs 10..86400000."));
        }

        if (options.MaxDeadLetters is < 0 or > 1_000_000)
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "jobOptions.maxDeadLetters", "Max dead letters must be between 0 and 1000000."));
        }

        if (options.DefaultPriority is < JobPriority.Min or > JobPriority.Max)
        {
            errors.Add(new(WorkersErrorCodes.InvalidPriority, "jobOptions.priority", $"Priority must be between {JobPriority.Min} and {JobPriority.Max}."));
        }

        if (options.Partitions is < 1 or > QueuePartitions.Max)
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "jobOptions.partitions", $"Partitions must be a whole number between 1 and {QueuePartitions.Max}."));
        }
        else if (options.Partitions > 1 && (options.GlobalConcurrency is not null || options.RateLimit is not null))
        {
            // One queue grain enforces each of these; N grains would each allow the whole limit (N times it in all).
            errors.Add(new(WorkersErrorCodes.PartitionsConflict, "jobOptions.partitions", "A partitioned queue cannot have a globalConcurrency or rateLimit (each partition would allow all of it); use one partition, or remove the limit."));
        }

        CheckBackoff(errors, options.Backoff);
    }

    private static void CheckBackoff(List<ValidationError> errors, BackoffOptions backoff)
    {
        if (backoff.BaseDelay < TimeSpan.Zero || backoff.BaseDelay > TimeSpan.FromDays(1))
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "backoff.delay", "Backoff delay must be between 0 and 1 day."));
        }

        if (backoff.MaxDelay < backoff.BaseDelay || backoff.MaxDelay > TimeSpan.FromDays(7))
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "backoff.maxDelay", "Backoff max delay must be at least the delay and at most 7 days."));
        }

        if (double.IsNaN(backoff.Jitter) || backoff.Jitter is < 0 or > 1)
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "backoff.jitter", "Backoff jitter must be between 0 and 1."));
        }

        if (!Enum.IsDefined(backoff.Kind))
        {
            errors.Add(new(WorkersErrorCodes.InvalidJobOptions, "backoff.type", "Backoff type must be fixed or exponential."));
        }
    }

    private static void Add(List<ValidationError> errors, ValidationError? error)
    {
        if (error is not null)
        {
            errors.Add(error);
        }
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
