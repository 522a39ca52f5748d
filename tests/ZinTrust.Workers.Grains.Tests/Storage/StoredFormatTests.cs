using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// Golden files: what this version stores (job records, queue metadata and idempotency keys in the job store; grain states in
/// grain storage, Redis and PostgreSQL alike, all in Orleans' binary format) was written once and checked in under
/// <c>Golden/</c>. Every later version must read them back to the same values, so a change that renumbers, retypes or drops a
/// stored field fails here rather than in a user's cluster. After a deliberate, compatible addition, write a new file next to
/// the old ones (ZT_WRITE_GOLDEN=1 writes the files that are missing); never rewrite an old one.
/// </summary>
public sealed class StoredFormatTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 30, 15, 123, TimeSpan.Zero);
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static TheoryData<string> Files => [.. Samples.Keys];

    private static readonly Dictionary<string, object> Samples = new(StringComparer.Ordinal)
    {
        // As the Redis job store writes a record: without the id and queue, which are its hash field and key.
        ["job-record.v1.bin"] = Job() with { Id = "", Queue = "" },
        ["job-record.v2.bin"] = Job() with { Id = "", Queue = "", IdempotencyFingerprint = 7_421_003_999_120_555_001, IdempotencyExpiresAt = T0.AddDays(1) },
        ["job-record.v3.bin"] = Job() with
        {
            Id = "",
            Queue = "",
            IdempotencyFingerprint = 7_421_003_999_120_555_001,
            IdempotencyExpiresAt = T0.AddDays(1),
            Headers = new Dictionary<string, string> { ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ["tenant"] = "acme" },
        },
        ["job-record.v4.bin"] = Job() with
        {
            Id = "",
            Queue = "",
            IdempotencyFingerprint = 7_421_003_999_120_555_001,
            IdempotencyExpiresAt = T0.AddDays(1),
            Headers = new Dictionary<string, string> { ["tenant"] = "acme" },
            WorkerVersion = "2.1.0",
            Group = "tenant-acme",
            Logs = [new JobLogLine { Time = T0, Attempt = 1, Message = "connecting to smtp" }, new JobLogLine { Time = T0.AddSeconds(1), Attempt = 2, Message = "sent\tok" }],
            LogsDropped = 3,
        },
        ["job-record.v5.bin"] = Job() with
        {
            Id = "",
            Queue = "",
            State = JobState.WaitingChildren,
            Flow = new FlowState
            {
                Parent = new FlowRef { Queue = "reports", JobId = "p-0001", Index = 2 },
                ChildrenExpected = 3,
                OnChildFailure = ChildFailurePolicy.Ignore,
                Children = [new ChildOutcome { Index = 0, Queue = "extracts", JobId = "c-0001", State = JobState.Completed, Result = """{"rows":12}""", SettledAt = T0 },
                    new ChildOutcome { Index = 1, Queue = "extracts", JobId = "c-0002", State = JobState.Failed, Error = "timeout", SettledAt = T0.AddSeconds(3), ResultOmitted = false }],
                ParentNotified = true,
            },
        },
        ["queue-metadata.v1.bin"] = new QueueMetadata(true, Policy()),
        ["queue-metadata.v2.bin"] = new QueueMetadata(false, Policy() with
        {
            GlobalConcurrency = 12,
            RateLimit = new RateLimit { Max = 100, Duration = TimeSpan.FromSeconds(10) },
            GroupConcurrency = 3,
        }),
        ["idempotency-key.v1.bin"] = new IdempotencyKeyRecord { Key = "", JobId = "j-0001", Fingerprint = -4_611_686_018_427_387_904, CreatedAt = T0, FinalState = JobState.Cancelled },
        ["idempotency-key.v2.bin"] = new IdempotencyKeyRecord { Key = "", JobId = "j-0001", Fingerprint = 99, CreatedAt = T0, FinalState = JobState.Completed, ExpiresAt = T0.AddMinutes(1) },
        ["worker-state.v1.bin"] = WorkerState(),
        ["worker-state.v2.bin"] = MultiQueueWorkerState(),
        ["worker-state.v3.bin"] = FailedWorkerState(),
        ["worker-registry-state.v1.bin"] = new WorkerRegistryState
        {
            Workers =
            {
                ["mailer"] = new WorkerIndexEntry
                {
                    Name = "mailer", QueueName = "emails", Version = "2.1.0", Status = WorkerStatus.Running, ActiveStatus = true, Concurrency = 7,
                    AutoStart = false, UpdatedAt = T0, PersistenceDriver = "redis", ResourceMonitoring = true, Region = "eu-west-1",
                },
            },
        },
        ["worker-registry-state.v2.bin"] = new WorkerRegistryState
        {
            Workers =
            {
                ["mailer"] = new WorkerIndexEntry
                {
                    Name = "mailer", QueueName = "emails", Version = "2.1.0", Status = WorkerStatus.Running, ActiveStatus = true, Concurrency = 7,
                    AutoStart = false, UpdatedAt = T0, PersistenceDriver = "redis", ResourceMonitoring = true, Region = "eu-west-1",
                    Queues = ["emails", "newsletters"],
                },
            },
        },
        ["worker-registry-state.v3.bin"] = new WorkerRegistryState
        {
            Workers =
            {
                ["mailer"] = new WorkerIndexEntry
                {
                    Name = "mailer", QueueName = "emails", Version = "2.1.0", Status = WorkerStatus.Failed, ActiveStatus = true, Concurrency = 7,
                    AutoStart = true, UpdatedAt = T0, PersistenceDriver = "redis", Region = "eu-west-1", Failure = HealthFailure(),
                },
            },
        },
        ["circuit-state.v1.bin"] = new CircuitBreakerState
        {
            State = CircuitState.HalfOpen,
            Options = new CircuitBreakerOptions { FailureThreshold = 4, FailureWindow = TimeSpan.FromSeconds(40), ResetTimeout = TimeSpan.FromSeconds(20), HalfOpenAttempts = 2 },
            Worker = "mailer",
            OpenedAt = T0,
            RetryAt = T0.AddSeconds(20),
            Transitions = [new CircuitTransition(CircuitState.Closed, CircuitState.Open, T0, "4 failures in 40 s")],
        },
        ["autoscaler-state.v1.bin"] = new AutoScalerState
        {
            LastRunAt = T0,
            Workers =
            {
                ["mailer"] = new WorkerScalingState
                {
                    OverrideUntil = T0.AddHours(1),
                    LastChangeAt = T0,
                    Decisions = [new ScalingDecision { Worker = "mailer", At = T0, From = 2, To = 3, Reason = "backlog", Applied = true, Waiting = 450, Throughput = 12.5, CpuPercent = 61.25, Source = "operator" }],
                },
            },
        },
        ["resource-monitor-state.v1.bin"] = new ResourceMonitorState { StoppedByOperator = true, ChangedAt = T0 },
        ["plugin-registry-state.v1.bin"] = new PluginRegistryState { Disabled = ["audit"], Version = 7 },
        ["worker-metrics-state.v1.bin"] = MetricsState(),
        ["alert-state.v1.bin"] = new AlertGrainState
        {
            Active =
            [
                new Alert
                {
                    Id = "0f5c2d8e9a7b4c1d8e2f3a4b5c6d7e8f", Rule = AlertRule.QueueDepth, SubjectKind = AlertSubjectKind.Queue, Subject = "emails",
                    Severity = AlertSeverity.Critical, Value = 12_500, Peak = 13_000, Threshold = 10_000, ClearThreshold = 900, Unit = "jobs",
                    Since = T0, RaisedAt = T0.AddSeconds(60), LastSeenAt = T0.AddSeconds(90), Message = "Queue 'emails': 12,500 waiting jobs", WasCritical = true,
                },
            ],
            Resolved =
            [
                new Alert
                {
                    Id = "1a2b3c4d5e6f40718293a4b5c6d7e8f9", Rule = AlertRule.SiloCpu, SubjectKind = AlertSubjectKind.Silo, Subject = "S10.0.0.5:11111:1",
                    Severity = AlertSeverity.Warning, Value = 41.5, Peak = 88.25, Threshold = 80, ClearThreshold = 72, Unit = "percent",
                    Since = T0, RaisedAt = T0.AddMinutes(1), LastSeenAt = T0.AddMinutes(5), ResolvedAt = T0.AddMinutes(5), Message = "CPU 88.3%", Resolution = "Back to 41.5%",
                },
            ],
            LastEvaluatedAt = T0.AddMinutes(5),
        },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void WhatThisVersionStored_IsReadBackToTheSameValues(string file)
    {
        var expected = Samples[file];
        var path = Path.Combine(GoldenDirectory, file);
        if (!File.Exists(path) && Environment.GetEnvironmentVariable("ZT_WRITE_GOLDEN") == "1")
        {
            File.WriteAllBytes(path, Serializer.SerializeToArray(expected));
        }

        Assert.True(File.Exists(path), $"Golden file {file} is missing: run this test once with ZT_WRITE_GOLDEN=1 and check the file in.");
        var read = Deserialize(expected.GetType(), File.ReadAllBytes(path));

        Assert.Equal(JsonSerializer.Serialize(expected, expected.GetType(), Json), JsonSerializer.Serialize(read, expected.GetType(), Json));
    }

    private static object Deserialize(Type type, byte[] bytes) =>
        typeof(Serializer).GetMethods().Single(m => m.Name == nameof(Serializer.Deserialize) && m.IsGenericMethod && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(byte[]))
            .MakeGenericMethod(type).Invoke(Serializer, [bytes])!;

    private static string GoldenDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ZinTrust.Orleans.sln")))
            {
                dir = dir.Parent;
            }

            return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Repository root not found."), "tests", "ZinTrust.Workers.Grains.Tests", "Golden");
        }
    }

    private static JobOptions Policy() => new()
    {
        Attempts = 7,
        Backoff = new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.FromSeconds(3), Jitter = 0.25, MaxDelay = TimeSpan.FromMinutes(2) },
        Timeout = TimeSpan.FromSeconds(45),
        MaxStalls = 2,
        LeaseDuration = TimeSpan.FromSeconds(12),
        RetainCompleted = 250,
        DefaultPriority = JobPriority.High,
        IdempotencyTtl = TimeSpan.FromHours(6),
        MaxWaiting = 50_000,
        MaxDeadLetters = 900,
    };

    private static JobRecord Job() => new()
    {
        Id = "j-0001",
        Queue = "emails",
        Payload = """{"to":"ada@example.com","n":[1,2,3]}""",
        Priority = JobPriority.Critical,
        State = JobState.Active,
        Sequence = 41,
        Attempt = 2,
        MaxAttempts = 5,
        Backoff = new BackoffOptions { Kind = BackoffKind.Exponential, BaseDelay = TimeSpan.FromMilliseconds(1500), Jitter = 0.1, MaxDelay = TimeSpan.FromMinutes(10) },
        Timeout = TimeSpan.FromSeconds(90),
        CreatedAt = T0,
        RunAt = T0.AddMinutes(1),
        StartedAt = T0.AddMinutes(2),
        FinishedAt = T0.AddMinutes(3),
        Result = """{"sent":true}""",
        Error = "SmtpException: mailbox busy",
        FailureReason = JobFailureReasons.AttemptsExhausted,
        Progress = 60,
        LeaseToken = 1_796_269_645_933_357,
        LeaseOwner = "mailer/2",
        LeaseDeadline = T0.AddMinutes(2).AddSeconds(12),
        Stalls = 1,
        IdempotencyKey = "order-42",
        UpdatedAt = T0.AddMinutes(2),
        Name = "welcome-mail",
        MaxStalls = 2,
    };

    private static WorkerMetricsState MetricsState()
    {
        MetricsBucketState Bucket(DateTimeOffset start) => new()
        {
            Start = start,
            Completed = 1_234,
            Failed = 12,
            Retried = 9,
            DeadLettered = 3,
            DurationTicks = 1_481_000_000,
            RunTimes = new Dictionary<int, long> { [118] = 1_000, [130] = 240, [171] = 6 },
            UpdatedAt = T0,
        };
        return new WorkerMetricsState
        {
            Hours = [Bucket(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero)), Bucket(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero))],
            Days = [Bucket(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero))],
            Months = [Bucket(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero))],
            Replicas =
            {
                ["mailer/0"] = new ReplicaMetricsBaseline
                {
                    Incarnation = "5f0c2d0e8b7a4c1d9e3f2a1b0c9d8e7f",
                    Completed = 800,
                    Failed = 4,
                    DurationTicks = 960_000_000,
                    RunTimes = new Dictionary<int, long> { [118] = 700, [130] = 104 },
                    Retired = ["0a1b2c3d4e5f60718293a4b5c6d7e8f9"],
                    SeenAt = T0,
                },
            },
            Queues = { ["emails"] = new QueueMetricsBaseline { Since = T0.AddDays(-2), Retried = 40, DeadLettered = 7, SeenAt = T0 } },
            CollectingSince = T0.AddDays(-30),
            CollectedAt = T0,
            SavedAt = T0.AddSeconds(-20),
        };
    }

    private static WorkerFailure HealthFailure() => new()
    {
        Code = WorkersErrorCodes.HealthCheckFailed,
        Reason = "HTTP check https://smtp-gateway.internal/health failed 2 times in a row: HTTP 503 from https://smtp-gateway.internal/health (expected 2xx)",
        At = T0.AddMinutes(42),
    };

    /// <summary>A worker failed by its declared HTTP check, with the flags and health policy of failure detection.</summary>
    private static WorkerGrainState FailedWorkerState()
    {
        var state = WorkerState();
        state.Definition = state.Definition! with
        {
            Features = new Dictionary<string, bool> { ["healthMonitoring"] = true, ["deadLetterQueue"] = false, ["plugins"] = false },
            HealthPolicy = state.Definition.HealthPolicy with { RestartWhenFailed = true },
            HealthCheck = new HealthCheckSpec
            {
                Kind = HealthCheckKind.Http,
                Url = "https://smtp-gateway.internal/health",
                ExpectStatus = 204,
                Timeout = TimeSpan.FromMilliseconds(2500),
                Interval = TimeSpan.FromSeconds(15),
                FailureThreshold = 3,
            },
        };
        state.Status = WorkerStatus.Failed;
        state.Failure = HealthFailure();
        state.LastError = state.Failure.Reason;
        state.RunningReplicas = 0;
        return state;
    }

    private static WorkerGrainState MultiQueueWorkerState()
    {
        var state = WorkerState();
        state.Definition = state.Definition! with { Queues = [new WorkerQueue { Name = "emails", Weight = 5 }, new WorkerQueue { Name = "newsletters" }] };
        return state;
    }

    private static WorkerGrainState WorkerState()
    {
        var definition = new WorkerDefinition
        {
            Name = "mailer",
            QueueName = "emails",
            Version = "2.1.0",
            Concurrency = 7,
            Processor = "smtp",
            AutoStart = true,
            ActiveStatus = true,
            JobOptions = Policy(),
            Features = new Dictionary<string, bool> { ["circuitBreaker"] = true, ["autoScaling"] = true },
            Replicas = 3,
            DrainTimeout = TimeSpan.FromSeconds(25),
            PersistenceDriver = "db",
            CircuitBreaker = new CircuitBreakerOptions { FailureThreshold = 4, FailureWindow = TimeSpan.FromSeconds(40), ResetTimeout = TimeSpan.FromSeconds(20), HalfOpenAttempts = 2 },
            HealthPolicy = new WorkerHealthPolicy { RestartWhenCritical = true, CriticalSamples = 4, MaxRestarts = 2, RestartWindow = TimeSpan.FromMinutes(30) },
            AutoScaling = new AutoScalingOptions { MinReplicas = 2, MaxReplicas = 6, ScaleUpThreshold = 500, ScaleDownThreshold = 20, Cooldown = TimeSpan.FromMinutes(3) },
            Region = "eu-west-1",
        };
        return new WorkerGrainState
        {
            Definition = definition,
            Status = WorkerStatus.Running,
            CreatedAt = T0,
            UpdatedAt = T0.AddHours(1),
            StartedAt = T0.AddMinutes(5),
            LastError = "Worker 'mailer' did not start within WORKER_CONNECTION_TIMEOUT (5000 ms).",
            Generation = 9,
            RunningReplicas = 3,
            Paused = true,
            Versions = [new WorkerVersionRecord { Version = "2.0.0", Definition = definition with { Version = "2.0.0" }, RecordedAt = T0, Reason = "created" }],
            Circuit = CircuitState.Open,
            HalfOpenAttempts = 2,
        };
    }
}
