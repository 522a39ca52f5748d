using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// A queue: the in-memory index of its jobs in front of the job store.
/// </summary>
/// <remarks>
/// <para>Every change of a job goes through <see cref="JobTransitions"/> (the state machine and its fencing) and is staged in
/// the <see cref="QueueWriter"/> with its event; the caller then awaits the group commit that writes it. Nothing is
/// acknowledged before its write succeeds; then its events go out in commit order (the queue's counters, result watchers,
/// and the silo's sinks through <see cref="JobEventDispatcher"/>). A failed write poisons the activation: it answers errors
/// and deactivates, and the next activation reloads the truth from the store.</para>
/// <para>Fencing: each lease gives the job a new lease token, durable before it is handed out, greater than all before and
/// at least the queue's clock in microseconds (<see cref="FencingFloor"/>), so tokens keep growing even when the store lost its
/// last writes. The grain keeps what only it can own: the index, the turn, the clock, the waiting replicas.</para>
/// <para>Life: the activation stays while it has delayed jobs or leases to watch, or clients awaiting results; otherwise it may
/// be collected when idle like any grain (its next call reloads it).</para>
/// </remarks>
[Reentrant] // interleaving only at the awaits on group commits and store reads; every index change runs synchronously between them
internal sealed partial class QueueGrain : Grain, IQueueGrain
{
    // Delayed jobs promoted per tick (their records are read in one round trip); a longer backlog takes the next tick at once.
    private const int MaxPromotionsPerTick = 1000;
    private static readonly TimeSpan ReadRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaintenancePeriod = TimeSpan.FromMinutes(1);

    private readonly IJobStore store;
    private readonly TimeProvider time;
    private readonly WorkersOptions options;
    private readonly JobEventDispatcher sinks;
    private readonly ILogger<QueueGrain> logger;
    private readonly string silo;
    private readonly QueueIndex index = new();
    private readonly JobIds ids = new();
    private readonly HashSet<string> waiters = new(StringComparer.Ordinal);
    private readonly ResultWatchers watchers = new();
    private readonly IdempotencyKeys keys = new();

    // Leases granted whose write has not been acknowledged (job id to token): nobody holds them yet, so they do not expire.
    private readonly Dictionary<string, long> granting = new(StringComparer.Ordinal);
    private QueueWriter writer = null!;
    private QueueReader reader = null!;
    private QueueMetrics metrics = null!;
    private string queue = "";
    private JobOptions policy = new();
    private bool paused;
    private TrafficSplit? split;
    private long lastToken;
    private ITimer? clock;
    private IGrainTimer? maintenance;
    private IQueueGrain? self;
    private Exception? poisoned;
    private DateTimeOffset keptUntil;

    public QueueGrain(
        IJobStore store,
        [FromKeyedServices(WorkersClock.Key)] TimeProvider time,
        IOptions<WorkersOptions> options,
        JobEventDispatcher sinks,
        ILocalSiloDetails silo,
        ILogger<QueueGrain> logger)
    {
        this.silo = silo.SiloAddress.ToString();
        this.store = store;
        this.time = time;
        this.options = options.Value;
        this.sinks = sinks;
        this.logger = logger;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        partitionKey = this.GetPrimaryKeyString();
        (queue, partition) = QueuePartitions.ParseKey(partitionKey);
        self = this.AsReference<IQueueGrain>();
        metrics = new QueueMetrics(queue, time.GetUtcNow());
        policy = options.DefaultJobOptions();
        writer = new QueueWriter(store, partitionKey, options.StoreWriteMaxJobs, options.StoreWriteMaxBytes, OnWriteFailed, OnCommitted);
        reader = new QueueReader(store, partitionKey, index, writer, ThrowIfPoisoned, Poison, logger);
        var snapshot = await store.LoadAsync(partitionKey, FencingFloor.Epoch(time.GetUtcNow()), cancellationToken);
        writer.Epoch = snapshot.Epoch;
        if (snapshot.Metadata is { } meta)
        {
            paused = meta.Paused;
            policy = meta.Policy;
        }

        var now = time.GetUtcNow();
        foreach (var key in snapshot.Keys)
        {
            // Keys that outlived their jobs; a job that holds the same key (below) takes it over.
            keys.Remember(key, key.ExpiresAt ?? key.CreatedAt + policy.IdempotencyTtl);
        }

        foreach (var job in snapshot.Jobs)
        {
            // A lease found in the store gets a fresh deadline: its holder may still be alive and renewing.
            // If it is not, the lease expires one lease-duration from now and the job is returned (a stall).
            index.Put(job.State == JobState.Active ? job with { LeaseDeadline = now + policy.LeaseDuration } : job);
            NoteSettledChild(job);   // a child whose parent was not told before the queue moved
            lastToken = Math.Max(lastToken, job.LeaseToken);
            if (job.IdempotencyKey is { } key
                && keys.Live(key, job.Id, job.IdempotencyFingerprint, job.IdempotencyExpiresAt ?? job.CreatedAt + policy.IdempotencyTtl))
            {
                writer.DeleteKey(key);
            }
        }

        clock = time.CreateTimer(static s => ((QueueGrain)s!).OnClock(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        maintenance = this.RegisterGrainTimer(
            static (g, _) => g.MaintainAsync(),
            this,
            new GrainTimerCreationOptions(MaintenancePeriod, MaintenancePeriod) { KeepAlive = false });
        LogActivated(logger, partitionKey, snapshot.Jobs.Count);
        if (parentNotices.Count > 0)
        {
            _ = TellParentsAsync();   // children that settled before the queue moved, their parents not told yet
        }

        ForgetExpiredKeys(now);
        try
        {
            await TickCore();
        }
        catch (WorkersException) when (poisoned is null)
        {
            // Reading the records of due delayed jobs failed; the clock tries again shortly. The queue itself is loaded.
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        clock?.Dispose();
        maintenance?.Dispose();
        QueueDepths.Forget(partitionKey);
        try
        {
            // Let staged and in-flight writes finish; their callers learn the outcome from the same tasks.
            await writer.Commit();
        }
        catch (Exception ex) when (ex is WorkersException or JobStoreFencedException)
        {
        }
    }

    public Task<EnqueueResult> Enqueue(EnqueueRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // A job sent from within the silo (not through REST or the client, which add theirs) gets a producer span here.
        return Untraced(request)
            ? WorkersActivity.SendAsync(queue, 1, silo, span => EnqueueCore(request.WithContext(span)))
            : EnqueueCore(request);
    }

    private async Task<EnqueueResult> EnqueueCore(EnqueueRequest request)
    {
        ThrowIfPoisoned();
        ThrowIfInvalidQueue();
        var result = Stage(request);
        await writer.Commit();
        return result;
    }

    public Task<IReadOnlyList<EnqueueResult>> EnqueueBatch(IReadOnlyList<EnqueueRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return requests.Count is > 0 and <= 10_000 && requests.Any(Untraced)
            ? WorkersActivity.SendAsync(queue, requests.Count, silo, span => EnqueueBatchCore([.. requests.Select(r => r.WithContext(span))]))
            : EnqueueBatchCore(requests);
    }

    private static bool Untraced(EnqueueRequest request) =>
        WorkersActivity.Source.HasListeners() && request.Headers?.ContainsKey(JobHeaders.TraceParent) != true;

    private async Task<IReadOnlyList<EnqueueResult>> EnqueueBatchCore(IReadOnlyList<EnqueueRequest> requests)
    {
        if (requests.Count is 0 or > 10_000 || requests.Count > options.StoreWriteMaxJobs)
        {
            throw new WorkersException(WorkersErrorCodes.InvalidBatch, $"A batch holds 1 to {Math.Min(10_000, options.StoreWriteMaxJobs)} jobs.");
        }

        // Validate the whole batch before admitting any of it: a batch is acknowledged whole or not at all, in one store write.
        ThrowIfPoisoned();
        ThrowIfInvalidQueue();
        long bytes = 0;
        for (int i = 0; i < requests.Count; i++)
        {
            var errors = WorkerValidation.Validate(requests[i]);
            if (errors.Count > 0)
            {
                throw new WorkersException(errors[0].Code, $"Job {i}: {errors[0].Message}");
            }

            ThrowIfMisplaced(requests[i]);
            bytes += QueueWriter.SizeOfNew(requests[i]);
        }

        if (bytes > options.StoreWriteMaxBytes)
        {
            throw new WorkersException(WorkersErrorCodes.InvalidBatch, $"A batch's payloads may total about {options.StoreWriteMaxBytes} bytes (it is written at once); split it.");
        }

        var (fingerprints, newJobs) = keys.Check(requests, time.GetUtcNow(), IsKept);
        ThrowIfFull(newJobs);
        writer.MakeRoom(requests.Count, bytes);
        var results = new EnqueueResult[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            results[i] = Admit(requests[i], fingerprints[i]);
        }

        await writer.Commit();
        return results;
    }

    public Task<IReadOnlyList<LeasedJob>> Lease(string replicaId, int max) => LeaseCore(replicaId, max, version: null);

    public Task<IReadOnlyList<LeasedJob>> LeaseFor(LeaseRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LeaseCore(request.ReplicaId, request.Max, request.Version);
    }

    private async Task<IReadOnlyList<LeasedJob>> LeaseCore(string replicaId, int max, string? version)
    {
        ThrowIfPoisoned();
        if (paused || index.WaitingCount == 0 || max <= 0)
        {
            waiters.Add(replicaId);
            return [];
        }

        if (policy.GlobalConcurrency is not null || policy.RateLimit is not null)
        {
            max = Allowance(max, time.GetUtcNow());
            if (max <= 0)
            {
                waiters.Add(replicaId);   // woken when a slot frees or the rate window reopens
                ArmClock();
                return [];
            }
        }

        var picked = Pick(max, version);
        if (picked.Count == 0)
        {
            waiters.Add(replicaId);   // none on this replica's side of the split
            return [];
        }

        waiters.Remove(replicaId);
        JobRecord[] records;
        try
        {
            records = await reader.ReadReservedAsync(picked, readAhead: true);
        }
        catch (WorkersException) when (poisoned is null)
        {
            // The read failed and the jobs are back in the waiting order: replicas that found it empty meanwhile may take them.
            WakeWaiters();
            throw;
        }
        finally
        {
            index.EndLease(picked);   // active from here on (or back to waiting)
        }

        var now = time.GetUtcNow();
        var leased = new List<LeasedJob>(records.Length);
        foreach (var job in records)
        {
            var active = Apply(job, new JobCommand.Lease(replicaId, NextToken(job, now), now + policy.LeaseDuration, version), now)!;
            leased.Add(new LeasedJob
            {
                JobId = active.Id,
                Queue = queue,
                Payload = active.Payload,
                Attempt = active.Attempt,
                MaxAttempts = active.MaxAttempts,
                LeaseToken = active.LeaseToken,
                Timeout = active.Timeout,
                LeaseDuration = policy.LeaseDuration,
                Name = active.Name,
                Priority = active.Priority,
                Headers = active.Headers,
                Group = active.Group,
                Children = active.Children,
            });
        }

        foreach (var lease in leased)
        {
            granting[lease.JobId] = lease.LeaseToken;
        }

        CountStarts(leased.Count, now);   // before the write: a lease interleaving with it sees these starts
        ArmClock();
        try
        {
            await writer.Commit();
        }
        finally
        {
            foreach (var lease in leased)
            {
                granting.Remove(lease.JobId);
            }
        }

        StartLeaseClocks(replicaId, leased, now);
        return leased;
    }

    public async Task<IReadOnlyList<AckStatus>> Report(string replicaId, IReadOnlyList<JobOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ThrowIfPoisoned();
        var now = time.GetUtcNow();
        var statuses = new AckStatus[outcomes.Count];
        bool requeued = false, freed = false;
        for (int i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            if (index.Get(outcome.JobId)?.Record is not { } job)
            {
                statuses[i] = index.Get(outcome.JobId) is null ? AckStatus.NotFound : AckStatus.StaleLease;
                LogRejected(logger, queue, outcome.JobId, statuses[i], outcome.LeaseToken);
                continue;
            }

            if (outcome.Logs is { } logs && Apply(job, new JobCommand.Log(replicaId, outcome.LeaseToken, logs), now) is { } logged)
            {
                job = logged;   // the lines first: they belong to the attempt, whatever its outcome
            }

            var transition = JobTransitions.Apply(job, Command(replicaId, outcome), now);
            statuses[i] = Ack(transition.Refusal);
            if (!transition.Applied)
            {
                LogRejected(logger, queue, outcome.JobId, statuses[i], outcome.LeaseToken);
                continue;
            }

            Stage(transition);
            requeued |= transition.Next!.State == JobState.Waiting;
            freed = true;
        }

        EnforceRetention(now);
        ArmClock();
        if (requeued)
        {
            WakeWaiters();
        }
        else if (freed)
        {
            OnSlotsFreed();
        }

        await writer.Commit();
        return statuses;
    }

    /// <summary>Adds a checked request to the index and stages it; the caller awaits the commit. A key still held returns its job.</summary>
    private EnqueueResult Admit(EnqueueRequest request, long fingerprint)
    {
        var now = time.GetUtcNow();
        if (request.IdempotencyKey is { } key && keys.Find(key, now, IsKept) is { } known)
        {
            return new EnqueueResult(known.JobId, Created: false, index.Get(known.JobId)?.State ?? known.FinalState ?? JobState.Completed);
        }

        var keyExpires = request.IdempotencyKey is null ? (DateTimeOffset?)null : now + (request.IdempotencyTtl ?? policy.IdempotencyTtl);
        var (job, created) = JobTransitions.Enqueue(QueuePartitions.JobId(ids.Next(), partition), queue, request, policy, index.NextSequence, fingerprint, keyExpires, now);
        index.Put(job);
        writer.Upsert(job, created);
        if (request.IdempotencyKey is { } newKey && keys.Live(newKey, job.Id, fingerprint, keyExpires!.Value))
        {
            // The key is the new job's record's now; the key stored on its own (of a job long gone) goes.
            writer.DeleteKey(newKey);
        }

        if (job.State == JobState.Waiting)
        {
            WakeWaiters();
        }
        else
        {
            ArmClock();
        }

        return new EnqueueResult(job.Id, Created: true, job.State);
    }

    /// <summary>Applies a command the caller knows to be allowed and stages the change; returns the new record (null when the
    /// job was deleted, or when the command was refused).</summary>
    private JobRecord? Apply(JobRecord job, JobCommand command, DateTimeOffset now, bool hold = false)
    {
        var transition = JobTransitions.Apply(job, command, now);
        if (!transition.Applied)
        {
            return null;
        }

        Stage(transition, hold);
        return transition.Next;
    }

    /// <summary>Puts a transition into the index and the next write; a settled job's watchers are told once it is durable.</summary>
    private void Stage(Transition transition, bool hold = false)
    {
        var next = transition.Next!;
        index.Put(next, hold);
        writer.Upsert(next, transition.Event);
        NoteSettledChild(next);
        if (JobStateMachine.IsSettled(next.State) && watchers.Take(next.Id) is { } observers)
        {
            // Told after this record's write succeeds; retention may delete it before then, the notice keeps it.
            writer.Notify(new SettledNotice(next, observers));
        }

        writer.SealIfFull();
    }

    /// <summary>Deletes a finished or dead-lettered job (their records are in memory); its idempotency key outlives it until
    /// the key's window ends, stored on its own with how the job ended.</summary>
    private void Delete(JobRecord job, string reason, DateTimeOffset now)
    {
        var transition = JobTransitions.Apply(job, new JobCommand.Delete(reason), now);
        if (!transition.Applied)
        {
            return;
        }

        index.Remove(job.Id);
        writer.Delete(job.Id, transition.Event);
        if (job.IdempotencyKey is { } key && keys.Outlive(key, job.Id, job.State, job.CreatedAt, now) is { } outliving)
        {
            writer.UpsertKey(outliving);
        }

        writer.SealIfFull();
    }

    /// <summary>Once a write is durable: the queue's counters, the watchers of jobs it settled, and the silo's event sinks.</summary>
    private void OnCommitted(IReadOnlyList<JobEvent> events, IReadOnlyList<SettledNotice>? notices)
    {
        if (events.Count > 0)
        {
            metrics.Record(events);
            QueueDepths.Publish(partitionKey, index.Stats(queue, paused));
            if (sinks.HasSinks)
            {
                sinks.Publish(events);
            }
        }

        if (parentNotices.Count > 0)
        {
            _ = TellParentsAsync();   // on this grain's scheduler; it awaits other grains and is one pass at a time
        }

        foreach (var notice in notices ?? [])
        {
            foreach (var observer in notice.Observers)
            {
                try
                {
                    // One-way: a client that is gone costs nothing here; the watcher's own re-reads cover a lost notice.
                    _ = observer.JobSettled(notice.Job);
                }
                catch (Exception ex)
                {
                    LogNotifyFailed(logger, queue, notice.Job.Id, ex);
                }
            }
        }
    }

    private static JobCommand Command(string replicaId, JobOutcome outcome) => outcome.Kind switch
    {
        JobOutcomeKind.Completed => new JobCommand.Complete(replicaId, outcome.LeaseToken, outcome.Result),
        JobOutcomeKind.Released => new JobCommand.Release(replicaId, outcome.LeaseToken),
        JobOutcomeKind.Deferred => new JobCommand.Defer(replicaId, outcome.LeaseToken, outcome.Delay),
        JobOutcomeKind.FailedUnrecoverable => new JobCommand.Fail(replicaId, outcome.LeaseToken, outcome.Error, Unrecoverable: true, 0),
        _ => new JobCommand.Fail(replicaId, outcome.LeaseToken, outcome.Error, Unrecoverable: false, Random.Shared.NextDouble()),
    };

    private static AckStatus Ack(JobRefusal refusal) => refusal switch
    {
        JobRefusal.None => AckStatus.Accepted,
        JobRefusal.AlreadyFinished => AckStatus.AlreadyFinished,
        _ => AckStatus.StaleLease,
    };

    /// <summary>Refuses an enqueue that would take the queue past <see cref="JobOptions.MaxWaiting"/> (waiting and delayed jobs).</summary>
    private void ThrowIfFull(int newJobs)
    {
        if (policy.MaxWaiting is not { } queueMax || newJobs == 0)
        {
            return;
        }

        int max = QueuePartitions.Share(queueMax, policy.Partitions);   // a partition's share of the queue's bound
        int depth = index.CountOf(JobState.Waiting) + index.CountOf(JobState.Delayed);
        if (depth + newJobs <= max)
        {
            return;
        }

        metrics.Refused(newJobs);

        // Retry when the jobs in the way have been taken at the rate jobs completed since activation (1 s to 1 min).
        var counters = metrics.Counters;
        var elapsed = time.GetUtcNow() - counters.Since;
        double rate = elapsed > TimeSpan.Zero ? counters.Completed / elapsed.TotalSeconds : 0;
        double seconds = rate > 0 ? (depth + newJobs - max) / rate : 5;
        var retryAfter = TimeSpan.FromSeconds(Math.Ceiling(Math.Clamp(seconds, 1, 60)));
        throw new WorkersException(
            WorkersErrorCodes.QueueFull,
            $"Queue '{queue}' holds {depth} jobs that have not run, its limit is {max}; retry after {retryAfter.TotalSeconds:0} s.",
            retryAfter);
    }

    private bool IsKept(string jobId) => index.Get(jobId) is not null;

    /// <summary>The next lease token of a job: above its last one, above every token this activation gave, and at least the time floor.</summary>
    private long NextToken(JobRecord job, DateTimeOffset now)
    {
        lastToken = Math.Max(Math.Max(lastToken, job.LeaseToken) + 1, FencingFloor.Micros(now));
        return lastToken;
    }

    private void WakeWaiters()
    {
        if (waiters.Count == 0 || paused)
        {
            return;
        }

        foreach (var replica in waiters)
        {
            _ = GrainFactory.GetGrain<IWorkerReplicaGrain>(replica).Wake();
        }

        waiters.Clear();
    }

    private void OnWriteFailed(Exception ex)
    {
        LogStoreFailed(logger, queue, ex);
        Poison(ex);
    }

    private void Poison(Exception ex)
    {
        poisoned = ex;
        writer.Abandon();
        this.DeactivateOnIdle();
    }

    private void ThrowIfInvalidQueue()
    {
        if (WorkerValidation.CheckQueueName(queue) is { } error)
        {
            throw error.ToException();
        }
    }

    private void ThrowIfPoisoned()
    {
        if (poisoned is not null)
        {
            throw new WorkersException(WorkersErrorCodes.QueueUnavailable, $"Queue '{queue}' is reloading after a failed store write; retry.");
        }
    }
}
