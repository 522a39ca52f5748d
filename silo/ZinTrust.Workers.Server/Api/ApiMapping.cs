using System.Text.Json;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>Explicit mapping between HTTP contracts and grain contracts (grain types never reach JSON).</summary>
public static partial class ApiMapping
{
    /// <summary>A processor spec as given (checked with the definition or update); null when the request has none.</summary>
    public static ProcessorSpec? ToProcessorSpec(ProcessorSpecRequest? request) => request is null ? null : new ProcessorSpec
    {
        Path = request.Path,
        Url = request.Url,
        Sha256 = request.Sha256 ?? "",
        Type = request.Type,
    };

    /// <summary>A multi-queue worker's queues as given (checked with the definition); null when the request has none.</summary>
    public static IReadOnlyList<WorkerQueue>? ToQueues(List<WorkerQueueRequest>? queues) =>
        queues?.Select(q => new WorkerQueue { Name = q?.Name ?? "", Weight = q?.Weight ?? 1 }).ToArray();

    public static CircuitBreakerOptions ToCircuit(CircuitBreakerRequest? request, CircuitBreakerOptions baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        return request is null ? baseline : baseline with
        {
            FailureThreshold = request.FailureThreshold ?? baseline.FailureThreshold,
            FailureWindow = request.FailureWindowMs is { } w ? TimeSpan.FromMilliseconds(w) : baseline.FailureWindow,
            ResetTimeout = request.ResetTimeoutMs is { } r ? TimeSpan.FromMilliseconds(r) : baseline.ResetTimeout,
            HalfOpenAttempts = request.HalfOpenAttempts ?? baseline.HalfOpenAttempts,
        };
    }

    public static CircuitResponse ToResponse(CircuitSnapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new CircuitResponse(
            s.Name,
            Name(s.State),
            ToResponse(s.Options),
            s.FailuresInWindow,
            s.OpenedAt,
            s.RetryAt,
            s.HalfOpenSuccesses,
            s.Successes,
            s.Failures,
            s.Transitions.Select(t => new CircuitTransitionResponse(Name(t.From), Name(t.To), t.At, t.Reason)).ToArray());
    }

    public static CircuitOptionsResponse ToResponse(CircuitBreakerOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new(o.FailureThreshold, (long)o.FailureWindow.TotalMilliseconds, (long)o.ResetTimeout.TotalMilliseconds, o.HalfOpenAttempts);
    }

    public static WorkerHealthPolicy ToHealthPolicy(HealthPolicyRequest? request, WorkerHealthPolicy baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        return request is null ? baseline : baseline with
        {
            RestartWhenCritical = request.RestartWhenCritical ?? baseline.RestartWhenCritical,
            CriticalSamples = request.CriticalSamples ?? baseline.CriticalSamples,
            MaxRestarts = request.MaxRestarts ?? baseline.MaxRestarts,
            RestartWindow = request.RestartWindowMs is { } w ? TimeSpan.FromMilliseconds(w) : baseline.RestartWindow,
            RestartWhenFailed = request.RestartWhenFailed ?? baseline.RestartWhenFailed,
        };
    }

    public static HealthScoreResponse? ToResponse(WorkerHealthScore? s) => s is null ? null : new(
        s.Score, Name(s.State), s.At, s.Runs, s.Baseline is { } b ? Math.Round(b.TotalMilliseconds, 1) : null,
        new HealthPartsResponse(s.SuccessPart, s.LatencyPart, s.CheckPart, s.CircuitPart, s.StallPart));

    public static AutoScalingOptions ToScaling(AutoScalingRequest? request, AutoScalingOptions baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        return request is null ? baseline : baseline with
        {
            MinReplicas = request.MinReplicas ?? baseline.MinReplicas,
            MaxReplicas = request.MaxReplicas ?? baseline.MaxReplicas,
            ScaleUpThreshold = request.ScaleUpThreshold ?? baseline.ScaleUpThreshold,
            ScaleDownThreshold = request.ScaleDownThreshold ?? baseline.ScaleDownThreshold,
            Cooldown = request.CooldownMs is { } c ? TimeSpan.FromMilliseconds(c) : baseline.Cooldown,
        };
    }

    public static AutoScalingResponse ToResponse(AutoScalingOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new(o.MinReplicas, o.MaxReplicas, o.ScaleUpThreshold, o.ScaleDownThreshold, (long)o.Cooldown.TotalMilliseconds);
    }

    public static ScalingDecisionResponse ToResponse(ScalingDecision d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new(d.Worker, d.At, d.From, d.To, d.Reason, d.Applied, d.Source, d.Waiting, d.Throughput, d.CpuPercent);
    }

    public static JobOptions ToJobOptions(JobOptionsRequest? request, JobOptions baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        if (request is null)
        {
            return baseline;
        }

        return baseline with
        {
            Attempts = request.Attempts ?? baseline.Attempts,
            Backoff = ToBackoff(request.Backoff, baseline.Backoff),
            Timeout = request.TimeoutMs is { } t ? TimeSpan.FromMilliseconds(t) : baseline.Timeout,
            MaxStalls = request.MaxStalls ?? baseline.MaxStalls,
            LeaseDuration = request.LeaseMs is { } l ? TimeSpan.FromMilliseconds(l) : baseline.LeaseDuration,
            RetainCompleted = request.RetainCompleted ?? baseline.RetainCompleted,
            DefaultPriority = ParsePriority(request.Priority) ?? baseline.DefaultPriority,
            IdempotencyTtl = request.IdempotencyTtlMs is { } ttl ? TimeSpan.FromMilliseconds(Math.Clamp(ttl, -1, (long)TimeSpan.FromDays(365).TotalMilliseconds)) : baseline.IdempotencyTtl,
            MaxWaiting = request.MaxWaiting switch { null => baseline.MaxWaiting, 0 => null, var max => max },
            MaxDeadLetters = request.MaxDeadLetters ?? baseline.MaxDeadLetters,
            GlobalConcurrency = request.GlobalConcurrency switch { null => baseline.GlobalConcurrency, 0 => null, var limit => limit },
            GroupConcurrency = request.GroupConcurrency switch { null => baseline.GroupConcurrency, 0 => null, var limit => limit },
            Partitions = request.Partitions ?? baseline.Partitions,
            RateLimit = request.RateLimit switch
            {
                null => baseline.RateLimit,
                { Max: 0 } => null,
                { Max: { } max, DurationMs: { } ms } => new RateLimit { Max = max, Duration = TimeSpan.FromMilliseconds(Math.Clamp(ms, 0, (long)TimeSpan.FromDays(2).TotalMilliseconds)) },
                _ => throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidJobOptions, "jobOptions.rateLimit needs max and durationMs ({\"max\": 0} removes it)."),
            },
        };
    }

    public static BackoffOptions ToBackoff(BackoffRequest? request, BackoffOptions baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        if (request is null)
        {
            return baseline;
        }

        var kind = request.Type?.Trim().ToLowerInvariant() switch
        {
            null => baseline.Kind,
            "fixed" => BackoffKind.Fixed,
            "exponential" => BackoffKind.Exponential,
            _ => throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidJobOptions, "backoff.type must be fixed or exponential."),
        };
        var delay = request.DelayMs is { } d ? TimeSpan.FromMilliseconds(d) : baseline.BaseDelay;
        return baseline with
        {
            Kind = kind,
            BaseDelay = delay,
            Jitter = request.Jitter ?? baseline.Jitter,
            MaxDelay = request.MaxDelayMs is { } m ? TimeSpan.FromMilliseconds(m) : (baseline.MaxDelay < delay ? delay : baseline.MaxDelay),
        };
    }

    public static int? ParsePriority(JsonElement priority) => priority.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => null,
        JsonValueKind.Number when priority.TryGetInt32(out var n) && n is >= JobPriority.Min and <= JobPriority.Max => n,
        JsonValueKind.String when JobPriority.TryParse(priority.GetString(), out var p) => p,
        _ => throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidPriority, $"priority must be {JobPriority.Min}..{JobPriority.Max} or critical, high, normal, low."),
    };

    public static EnqueueRequest ToEnqueue(EnqueueJobRequest request, string? idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Payload is not null && request.Data is not null)
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidBody, "Give the payload as payload or as data, not both.");
        }

        if (idempotencyKey is not null && request.IdempotencyKey is not null && idempotencyKey != request.IdempotencyKey)
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidIdempotencyKey, "The Idempotency-Key header and idempotencyKey field differ.");
        }

        var payload = request.Payload ?? request.Data;
        var result = new EnqueueRequest
        {
            Payload = payload?.GetRawText() ?? "{}",
            Name = request.Name,
            Priority = ParsePriority(request.Priority),
            Delay = request.DelayMs is { } d ? TimeSpan.FromMilliseconds(Math.Clamp(d, -1, (long)TimeSpan.FromDays(366).TotalMilliseconds)) : null,
            RunAt = request.RunAt,
            IdempotencyKey = request.IdempotencyKey ?? idempotencyKey,
            IdempotencyTtl = request.IdempotencyTtlMs is { } ttl ? TimeSpan.FromMilliseconds(Math.Clamp(ttl, -1, (long)TimeSpan.FromDays(365).TotalMilliseconds)) : null,
            Headers = WithDataSubject(request.Headers, request.DataSubject),
            Group = request.Group,
            Attempts = request.Attempts,
            Backoff = request.Backoff is null ? null : ToBackoff(request.Backoff, BackoffOptions.Default),
            Timeout = request.TimeoutMs is { } t ? TimeSpan.FromMilliseconds(t) : null,
        };
        WorkerValidation.ThrowIfInvalid(WorkerValidation.Validate(result));
        return result;
    }

    /// <summary>The envelope with the body's <c>dataSubject</c> as its <c>data-subject</c> header.</summary>
    private static Dictionary<string, string>? WithDataSubject(Dictionary<string, string>? headers, string? subject)
    {
        if (subject is null)
        {
            return headers;
        }

        ComplianceApi.ThrowIfInvalidSubject(subject, "dataSubject");
        if (headers is not null && headers.TryGetValue(JobHeaders.DataSubject, out var named) && named != subject)
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidDataSubject, "dataSubject and the data-subject header differ.");
        }

        return new Dictionary<string, string>(headers ?? [], StringComparer.Ordinal) { [JobHeaders.DataSubject] = subject };
    }

    public static WorkerResponse ToResponse(WorkerInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var d = info.Definition;
        return new WorkerResponse(
            d.Name,
            d.QueueName,
            d.Version,
            Name(info.Status),
            d.Concurrency,
            d.ProcessorName,
            d.AutoStart,
            d.ActiveStatus,
            d.Replicas,
            (long)d.DrainTimeout.TotalMilliseconds,
            ToResponse(d.JobOptions),
            d.Features,
            info.CreatedAt,
            info.UpdatedAt,
            info.StartedAt,
            info.LastError,
            ToResponse(info.Health),
            info.Generation,
            d.PersistenceDriver,
            info.Paused,
            ToResponse(d.CircuitBreaker),
            new HealthPolicyResponse(d.HealthPolicy.RestartWhenCritical, d.HealthPolicy.CriticalSamples, d.HealthPolicy.MaxRestarts, (long)d.HealthPolicy.RestartWindow.TotalMilliseconds, d.HealthPolicy.RestartWhenFailed),
            ToResponse(d.AutoScaling),
            d.Region,
            DatacenterMapping.ToResponse(d.Placement),
            DatacenterMapping.ToResponse(d.Failover),
            info.PlacedIn,
            d.Queues?.Select(q => new WorkerQueueResponse(q.Name, q.Weight)).ToArray(),
            d.ProcessorSpec is { } spec ? new ProcessorSpecResponse(spec.Path, spec.Url, spec.Sha256, spec.Type) : null,
            !info.MonitoringStopped,
            ToResponse(d.HealthCheck),
            ToResponse(info.Failure));
    }

    public static JobOptionsResponse ToResponse(JobOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new(
            o.Attempts,
            new BackoffResponse(Name(o.Backoff.Kind), (long)o.Backoff.BaseDelay.TotalMilliseconds, o.Backoff.Jitter, (long)o.Backoff.MaxDelay.TotalMilliseconds),
            (long)o.Timeout.TotalMilliseconds,
            o.MaxStalls,
            (long)o.LeaseDuration.TotalMilliseconds,
            o.RetainCompleted,
            o.DefaultPriority,
            (long)o.IdempotencyTtl.TotalMilliseconds,
            o.MaxWaiting,
            o.MaxDeadLetters,
            o.GlobalConcurrency,
            o.RateLimit is { } rate ? new RateLimitResponse(rate.Max, (long)rate.Duration.TotalMilliseconds) : null,
            o.GroupConcurrency,
            o.Partitions);
    }

    public static HealthResponse ToResponse(WorkerHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        return new(health.Healthy, health.Message, health.CheckedAt, health.Source, health.ConsecutiveFailures);
    }

    public static WorkerListItem ToListItem(WorkerIndexEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Name, e.QueueName, e.Version, Name(e.Status), e.ActiveStatus, e.Concurrency, e.AutoStart, e.UpdatedAt, e.Region, ToResponse(e.Failure));
    }

    public static WorkerStatusResponse ToResponse(WorkerStatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var w = report.Worker;
        long runs = report.Completed + report.Failed;
        return new WorkerStatusResponse(
            w.Definition.Name,
            Name(w.Status),
            w.Definition.Version,
            w.Definition.QueueName,
            w.Definition.Concurrency,
            report.Completed,
            report.Failed,
            runs == 0 ? null : Math.Round(100.0 * report.Completed / runs, 1),
            Math.Round(report.AverageDuration.TotalMilliseconds, 1),
            report.InFlight,
            ToResponse(w.Health),
            w.LastError,
            report.Replicas.Select(r => new ReplicaResponse(r.ReplicaId, Name(r.State), r.Silo, r.Concurrency, r.InFlight, r.Completed, r.Failed, r.LastError)).ToArray(),
            report.Queue is null ? null : ToResponse(report.Queue),
            report.HealthScore?.Score,
            report.HealthScore is { } h ? Name(h.State) : null,
            w.Paused,
            ToResponse(w.Failure));
    }

    /// <summary>The status in the original documentation's shape: success rate 0–1 (4 decimals), average duration in ms.</summary>
    public static OriginalWorkerStatusResponse ToOriginalStatus(WorkerStatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var d = report.Worker.Definition;
        long runs = report.Completed + report.Failed;
        return new OriginalWorkerStatusResponse(
            true,
            new OriginalWorkerStatus(
                d.Name,
                Name(report.Worker.Status),
                d.Version,
                report.HealthScore?.Score,
                d.QueueName,
                d.Concurrency,
                new OriginalWorkerMetrics(
                    report.Completed,
                    report.Failed,
                    runs == 0 ? null : Math.Round((double)report.Completed / runs, 4),
                    Math.Round(report.AverageDuration.TotalMilliseconds, 1))));
    }

    public static WorkerMetricsResponse ToMetrics(WorkerStatusReport report, IReadOnlyList<WorkerMonitoringSample> recent)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(recent);
        long runs = report.Completed + report.Failed;

        // Throughput over the sampled window: attempts finished between the oldest and newest sample of one run
        // (a restart resets the replicas' counters, so a drop starts the window again).
        double? throughput = null;
        if (recent.Count >= 2)
        {
            var last = recent[^1];
            var first = last;
            for (int i = recent.Count - 2; i >= 0 && recent[i].Completed + recent[i].Failed <= first.Completed + first.Failed; i--)
            {
                first = recent[i];
            }

            var minutes = (last.At - first.At).TotalMinutes;
            if (minutes > 0)
            {
                throughput = Math.Round((last.Completed + last.Failed - first.Completed - first.Failed) / minutes, 2);
            }
        }

        double? Ms(double q) => DurationHistogram.Percentile(report.DurationBuckets, q) is { } p ? Math.Round(p.TotalMilliseconds, 2) : null;
        var counters = report.Queue?.Counters ?? new QueueCounters();
        return new WorkerMetricsResponse(
            report.Worker.Definition.Name,
            report.Completed,
            report.Failed,
            runs == 0 ? null : Math.Round(100.0 * report.Completed / runs, 1),
            Math.Round(report.AverageDuration.TotalMilliseconds, 1),
            Ms(0.5),
            Ms(0.95),
            Ms(0.99),
            report.InFlight,
            throughput,
            counters.Retried,
            counters.DeadLettered,
            counters.Stalled,
            report.Queue is null ? null : ToResponse(report.Queue));
    }

    public static MonitoringSampleResponse ToResponse(WorkerMonitoringSample s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.At, Name(s.Status), s.Healthy, s.Paused, s.Replicas, s.InFlight, s.Completed, s.Failed, s.Waiting, s.Active, s.DeadLettered, Math.Round(s.AverageDuration.TotalMilliseconds, 1), Name(s.Circuit), ToResponse(s.Health));
    }

    public static WorkerVersionResponse ToResponse(WorkerVersionRecord v, WorkerDefinition current)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(current);
        var d = v.Definition;
        return new(v.Version, v.RecordedAt, v.Reason, v.Version == current.Version,
            new WorkerVersionDefinition(d.QueueName, d.ProcessorName, d.Concurrency, d.Replicas, ToResponse(d.JobOptions), d.Features));
    }

    public static QueueStatsResponse ToResponse(QueueStats s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var c = s.Counters;
        return new(s.Queue, s.Paused, s.Waiting, s.Delayed, s.Active, s.Completed, s.Failed, s.Cancelled,
            new QueueCountersResponse(c.Enqueued, c.Completed, c.Retried, c.DeadLettered, c.Stalled, c.Cancelled, c.Since),
            s.Limits is { } l
                ? new QueueLimitsResponse(l.GlobalConcurrency, l.RateLimit is { } r ? new RateLimitResponse(r.Max, (long)r.Duration.TotalMilliseconds) : null, l.RateLimitedUntil, l.GroupConcurrency, l.Groups)
                : null,
            s.WaitingChildren,
            s.OldestWaitingSince,
            s.OldestWaitingAge?.TotalSeconds,
            s.Partitions);
    }

    public static JobResponse ToResponse(JobRecord j)
    {
        ArgumentNullException.ThrowIfNull(j);
        return new JobResponse(
            j.Id,
            j.Queue,
            j.Name,
            Name(j.State),
            j.Priority,
            j.Attempt,
            j.MaxAttempts,
            j.Progress,
            Json(j.Payload) ?? default,
            Json(j.Result),
            j.Error,
            j.FailureReason,
            j.Stalls,
            j.IdempotencyKey,
            j.CreatedAt,
            j.RunAt,
            j.StartedAt,
            j.FinishedAt,
            j.UpdatedAt,
            j.LeaseToken,
            j.Headers,
            j.WorkerVersion,
            j.Group,
            j.Logs?.Count ?? 0,
            j.Parent is { } parent ? new FlowParentResponse(parent.Queue, parent.JobId, parent.Index) : null,
            j.ChildrenExpected,
            j.Children?.Select(c => new ChildOutcomeResponse(c.Index, c.Queue, c.JobId, Name(c.State), Json(c.Result), c.Error, c.SettledAt, c.ResultOmitted)).ToArray());
    }

    /// <summary>One job of several (a batch's, a flow's) as an enqueue request: its errors keep their code and name the job's
    /// place (<paramref name="where"/>, such as "Job 3").</summary>
    public static EnqueueRequest ToEnqueueAt(EnqueueJobRequest? request, string where)
    {
        try
        {
            return ToEnqueue(request ?? throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidBody, "A job is null."), null);
        }
        catch (WorkersException ex)
        {
            throw ApiErrors.BadRequest(ex.Code, $"{where}: {ex.Message}");
        }
        catch (ApiException ex)
        {
            throw ApiErrors.BadRequest(ex.Code, $"{where}: {ex.Message}");
        }
    }

    /// <summary>A flow request as the flow to create (each job mapped as an enqueued one; its errors name the job's place).</summary>
    public static JobFlow ToFlow(FlowRequest request, string path = "flow")
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = ToEnqueueAt(request, path);
        var policy = request.OnChildFailure?.ToLowerInvariant() switch
        {
            null or "fail" => ChildFailurePolicy.Fail,
            "ignore" => ChildFailurePolicy.Ignore,
            _ => throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidFlow, $"{path}: onChildFailure must be fail or ignore."),
        };
        var children = request.Children ?? [];
        return new JobFlow
        {
            Queue = request.Queue ?? throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidFlow, $"{path}: every job of a flow names its queue."),
            Job = job,
            OnChildFailure = policy,
            Children = [.. children.Select((c, i) => ToFlow(c ?? throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidFlow, $"{path}.children[{i}] is null."), $"{path}.children[{i}]"))],
        };
    }

    public static FlowResponse ToResponse(FlowJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new FlowResponse(job.JobId, job.Queue, job.Created, [.. job.Children.Select(ToResponse)]);
    }

    public static JobLogsResponse ToLogsResponse(JobRecord j)
    {
        ArgumentNullException.ThrowIfNull(j);
        return new JobLogsResponse(j.Id, j.Queue, j.Logs?.Select(l => new JobLogLineResponse(l.Time, l.Attempt, l.Message)).ToArray() ?? [], j.LogsDropped);
    }

    public static EnqueueResponse ToResponse(EnqueueResult r, string queue)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.JobId, queue, Name(r.State), r.Created);
    }

    /// <summary>Lower-case wire names of enums (running, draining, waiting, exponential...; waiting-children as BullMQ spells it).</summary>
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => value is JobState.WaitingChildren ? "waiting-children" : value.ToString().ToLowerInvariant();

    private static JsonElement? Json(string? text)
    {
        if (text is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }
}
