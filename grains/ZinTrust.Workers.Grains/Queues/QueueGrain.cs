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
/// <para>Durability: every change is applied to the index and staged in the <see cref="QueueWriter"/>; the caller then awaits the
/// group commit that writes it. Nothing is acknowledged before its write succeeds. A failed write poisons the activation: it
/// answers errors and deactivates, and the next activation reloads the truth from the store.</para>
/// <para>Fencing: each lease gives the job a new <see cref="JobRecord.LeaseToken"/>, durable before it is handed out, so a report
/// carrying an older token (or coming from a replica that does not hold the lease) can never touch the newer attempt. Tokens and
/// the queue's epoch have a time-based floor (<see cref="FencingFloor"/>), so they keep growing when the store lost its last writes.</para>
/// <para>Memory: the index holds waiting and delayed jobs without their records (payload, options, timestamps); a
/// lease, a promotion, a cancel or a query reads the records it needs in one store round trip, unless they are still
/// staged or being written (then memory has them). The jobs are reserved during that read (<see cref="ReadReserved"/>),
/// so interleaving calls cannot lease, promote or cancel them twice. A lease's read also fetches the next waiting jobs'
/// records (kept only if those jobs did not change meanwhile, at most <see cref="MaxHeldAhead"/>), so under a backlog
/// about one lease in several reads.</para>
/// <para>Life: the activation stays while it has delayed jobs or leases to watch, or clients awaiting results; otherwise it may be
/// collected when idle like any grain (its next call reloads it).</para>
/// </remarks>
[Reentrant] // interleaving only at the awaits on group commits and store reads; every index change runs synchronously between them
internal sealed partial class QueueGrain : Grain, IQueueGrain
{
    // Delayed jobs promoted per tick (their records are read in one round trip); a longer backlog takes the next tick at once.
    private const int MaxPromotionsPerTick = 1000;

    // A lease that reads from the store also reads up to this many of the next waiting jobs, so the next leases need no read;
    // at most MaxHeldAhead waiting or delayed jobs hold their records this way (or because they were just promoted).
    private const int ReadAhead = 128;
    private const int MaxHeldAhead = 1024;
    private static readonly TimeSpan ReadRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaintenancePeriod = TimeSpan.FromMinutes(1);

    private readonly IJobStore store;
    private readonly TimeProvider time;
    private readonly WorkersOptions options;
    private readonly ILogger<QueueGrain> logger;
    private readonly QueueIndex index = new();
    private readonly JobIds ids = new();
    private readonly HashSet<string> waiters = new(StringComparer.Ordinal);
    private readonly ResultWatchers watchers = new();
    private readonly IdempotencyKeys keys = new();
    private QueueWriter writer = null!;
    private string queue = "";
    private JobOptions policy = new();
    private bool paused;
    private long lastToken;
    private ITimer? clock;
    private QueueCounters counters = new();
    private IGrainTimer? maintenance;
    private IQueueGrain? self;
    private Exception? poisoned;
    private DateTimeOffset keptUntil;

    // completed when a reservation ends, for a call that waits to act on a reserved job
    private TaskCompletionSource? reservationsEnded;

    public QueueGrain(
        IJobStore store,
        [FromKeyedServices(WorkersClock.Key)] TimeProvider time,
        IOptions<WorkersOptions> options,
        ILogger<QueueGrain> logger)
    {
        this.store = store;
        this.time = time;
        this.options = options.Value;
        this.logger = logger;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        queue = this.GetPrimaryKeyString();
        self = this.AsReference<IQueueGrain>();
        counters = new QueueCounters { Since = time.GetUtcNow() };
        policy = options.DefaultJobOptions();
        writer = new QueueWriter(store, queue, options.StoreWriteMaxJobs, options.StoreWriteMaxBytes, OnWriteFailed, NotifyWatchers);
        var snapshot = await store.LoadAsync(queue, FencingFloor.Epoch(time.GetUtcNow()), cancellationToken);
        writer.Epoch = snapshot.Epoch;
        if (snapshot.Metadata is { } meta)
        {
            paused = meta.Paused;
            policy = meta.Policy;
        }

        var now = time.GetUtcNow();
        foreach (var key in snapshot.Keys)
        {
            // Keys that outlived their jobs; a job that holds the same key (see below) takes it over.
            keys.Remember(key, key.ExpiresAt ?? key.CreatedAt + policy.IdempotencyTtl);
        }

        var stale = new List<string>();
        foreach (var job in snapshot.Jobs)
        {
            // A lease found in the store gets a fresh deadline: its holder may still be alive and renewing.
            // If it is not, the lease expires one lease-duration from now and the job is returned (a stall).
            index.Put(job.State == JobState.Active ? job with { LeaseDeadline = now + policy.LeaseDuration } : job);
            lastToken = Math.Max(lastToken, job.LeaseToken);
            if (job.IdempotencyKey is { } key
                && keys.Live(key, job.Id, job.IdempotencyFingerprint, job.IdempotencyExpiresAt ?? job.CreatedAt + policy.IdempotencyTtl))
            {
                stale.Add(key);
            }
        }

        foreach (var key in stale)
        {
            writer.DeleteKey(key);
        }

        clock = time.CreateTimer(static s => ((QueueGrain)s!).OnClock(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        maintenance = this.RegisterGrainTimer(
            static (g, _) => g.MaintainAsync(),
            this,
            new GrainTimerCreationOptions(MaintenancePeriod, MaintenancePeriod) { KeepAlive = false });
        LogActivated(logger, queue, snapshot.Jobs.Count);
        ForgetExpiredKeys(now);
        StayWhileWatching();
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
        try
        {
            // Let staged and in-flight writes finish; their callers learn the outcome from the same tasks.
            await writer.Commit();
        }
        catch (Exception ex) when (ex is WorkersException or JobStoreFencedException)
        {
        }
    }

    public async Task<EnqueueResult> Enqueue(EnqueueRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfPoisoned();
        ThrowIfInvalidQueue();
        WorkerValidation.ThrowIfInvalid(WorkerValidation.Validate(request));
        long fingerprint = 0;
        if (request.IdempotencyKey is null)
        {
            ThrowIfFull(1);
        }
        else
        {
            var (fingerprints, newJobs) = CheckKeys([request], time.GetUtcNow());
            ThrowIfFull(newJobs);
            fingerprint = fingerprints[0];
        }

        writer.MakeRoom(1, QueueWriter.SizeOfNew(request.Payload));
        var result = Admit(request, fingerprint);
        await Commit();
        Count(WorkersInstruments.Enqueued, result.Created ? 1 : 0);
        return result;
    }

    public async Task<IReadOnlyList<EnqueueResult>> EnqueueBatch(IReadOnlyList<EnqueueRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
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

            bytes += QueueWriter.SizeOfNew(requests[i].Payload);
        }

        if (bytes > options.StoreWriteMaxBytes)
        {
            throw new WorkersException(WorkersErrorCodes.InvalidBatch, $"A batch's payloads may total about {options.StoreWriteMaxBytes} bytes (it is written at once); split it.");
        }

        var (fingerprints, newJobs) = CheckKeys(requests, time.GetUtcNow());
        ThrowIfFull(newJobs);
        writer.MakeRoom(requests.Count, bytes);
        var results = new EnqueueResult[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            results[i] = Admit(requests[i], fingerprints[i]);
        }

        await Commit();
        Count(WorkersInstruments.Enqueued, results.Count(r => r.Created));
        return results;
    }

    public async Task<IReadOnlyList<LeasedJob>> Lease(string replicaId, int max)
    {
        ThrowIfPoisoned();
        if (paused || index.WaitingCount == 0 || max <= 0)
        {
            waiters.Add(replicaId);
            return [];
        }

        waiters.Remove(replicaId);
        var picked = index.List(JobState.Waiting).Take(max).ToList();
        JobRecord[] records;
        try
        {
            records = await ReadReserved(picked, readAhead: true);
        }
        catch (WorkersException) when (poisoned is null)
        {
            // The read failed and the jobs are back in the waiting order: replicas that found it empty meanwhile may take them.
            WakeWaiters();
            throw;
        }

        var now = time.GetUtcNow();
        var leased = new List<LeasedJob>(records.Length);
        foreach (var job in records)
        {
            var active = Move(job, JobState.Active, now) with
            {
                Attempt = job.Attempt + 1,
                LeaseToken = NextToken(job, now),
                LeaseOwner = replicaId,
                LeaseDeadline = now + policy.LeaseDuration,
                StartedAt = now,
                Progress = 0,
            };
            Save(active);
            writer.SealIfFull();
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
            });
        }

        ArmClock();
        await Commit();
        return leased;
    }

    public async Task<IReadOnlyList<AckStatus>> Report(string replicaId, IReadOnlyList<JobOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ThrowIfPoisoned();
        var now = time.GetUtcNow();
        var statuses = new AckStatus[outcomes.Count];
        bool requeued = false;
        int completed = 0, retried = 0, dead = 0;
        for (int i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            var entry = index.Get(outcome.JobId);
            statuses[i] = Check(entry, outcome.LeaseToken, replicaId);
            if (statuses[i] != AckStatus.Accepted)
            {
                LogRejected(logger, queue, outcome.JobId, statuses[i], outcome.LeaseToken);
                continue;
            }

            var next = Apply(entry!.Record!, outcome, now);
            requeued |= next.State == JobState.Waiting;
            completed += next.State == JobState.Completed ? 1 : 0;
            dead += next.State == JobState.Failed ? 1 : 0;
            retried += next.State is JobState.Waiting or JobState.Delayed && outcome.Kind is not (JobOutcomeKind.Released or JobOutcomeKind.Deferred) ? 1 : 0;
            Save(next);
            writer.SealIfFull();
        }

        int dropped = EnforceRetention(now);
        ArmClock();
        if (requeued)
        {
            WakeWaiters();
        }

        await Commit();
        Count(WorkersInstruments.Completed, completed);
        Count(WorkersInstruments.Retried, retried);
        Count(WorkersInstruments.DeadLettered, dead);
        Count(WorkersInstruments.DeadLettersDropped, dropped);
        return statuses;
    }

    public Task<LeaseRenewal> RenewLeases(string replicaId, IReadOnlyList<JobLeaseRef> leases)
    {
        ArgumentNullException.ThrowIfNull(leases);
        ThrowIfPoisoned();
        var now = time.GetUtcNow();
        List<JobLeaseRef>? lost = null;
        foreach (var lease in leases)
        {
            var entry = index.Get(lease.JobId);
            if (Check(entry, lease.LeaseToken, replicaId) != AckStatus.Accepted)
            {
                (lost ??= []).Add(lease);
                continue;
            }

            // Deadlines live in memory only: a reloaded queue grants every stored lease a fresh deadline anyway.
            index.Put(entry!.Record! with { LeaseDeadline = now + policy.LeaseDuration });
        }

        ArmClock();
        return Task.FromResult(new LeaseRenewal(lost ?? [], policy.LeaseDuration));
    }

    public async Task<bool> ReportProgress(JobLeaseRef lease, int progress)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ThrowIfPoisoned();
        var entry = index.Get(lease.JobId);
        if (Check(entry, lease.LeaseToken, replicaId: null) != AckStatus.Accepted)
        {
            return false;
        }

        Save(entry!.Record! with { Progress = Math.Clamp(progress, 0, 100), UpdatedAt = time.GetUtcNow() });
        await Commit();
        return true;
    }

    public async Task<JobRecord?> GetJob(string jobId)
    {
        var entry = index.Get(jobId);
        return entry is null ? null : await Show(entry, jobId);
    }

    public async Task<JobRecord?> WatchJob(string jobId, IJobCompletionObserver observer, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ThrowIfPoisoned();
        var entry = index.Get(jobId);
        if (entry is null)
        {
            return null;
        }

        if (!JobStateMachine.IsSettled(entry.State))
        {
            watchers.Add(jobId, observer, time.GetUtcNow() + Clamp(lifetime, JobWatchLimits.MinLifetime, JobWatchLimits.MaxLifetime));
            StayWhileWatching();
        }

        // Never show a state that is not yet durable (as GetJob). A job settling meanwhile notifies the observer.
        return await Show(entry, jobId);
    }

    public Task UnwatchJob(string jobId, IJobCompletionObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        watchers.Remove(jobId, observer);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<JobRecord>> ListJobs(JobState state, int offset, int limit)
    {
        offset = Math.Max(0, offset);
        limit = Math.Clamp(limit, 0, 1000);
        var page = index.List(state).Skip(offset).Take(limit).ToArray();
        var records = new JobRecord?[page.Length];
        var ids = new string[page.Length];
        List<int>? stored = null;
        for (int i = 0; i < page.Length; i++)
        {
            ids[i] = page[i].Id;
            records[i] = InMemory(page[i], ids[i]);
            if (records[i] is null)
            {
                (stored ??= []).Add(i);
            }
        }

        if (stored is not null)
        {
            // A listing reads without reserving: a job that moved on meanwhile shows its newer stored state.
            var read = await LoadJobs(stored.Select(i => ids[i]).ToArray());
            for (int k = 0; k < stored.Count; k++)
            {
                records[stored[k]] = read[k];
            }
        }

        // Records from memory may still be on their way to the store: show only durable states.
        await Commit();

        return records.OfType<JobRecord>().ToArray();
    }

    public async Task<CancelResult> Cancel(string jobId)
    {
        ThrowIfPoisoned();
        var entry = index.Get(jobId);
        while (entry is { Reserved: true })
        {
            // Another call is reading this job's record to move it: act on what that call leaves.
            await ReservationEnded();
            ThrowIfPoisoned();
            entry = index.Get(jobId);
        }

        if (entry is null)
        {
            return CancelResult.NotFound;
        }

        if (!JobStateMachine.CanMove(entry.State, JobState.Cancelled))
        {
            return CancelResult.AlreadyFinished;
        }

        var job = entry.Record ?? (await ReadReserved([entry]))[0];
        var now = time.GetUtcNow();
        var owner = job.State == JobState.Active ? job.LeaseOwner : null;
        Save(Move(job, JobState.Cancelled, now) with
        {
            FinishedAt = now,
            FailureReason = JobFailureReasons.Cancelled,
            LeaseOwner = null,
            LeaseDeadline = null,
        });
        EnforceRetention(now);
        ArmClock();
        await Commit();
        Count(WorkersInstruments.Cancelled, 1);
        if (owner is not null)
        {
            // Fire the running processor's token wherever it runs; lease renewal reports the loss as a backstop.
            _ = GrainFactory.GetGrain<IWorkerReplicaGrain>(owner).CancelJob(jobId);
        }

        LogCancelled(logger, queue, jobId);
        return CancelResult.Cancelled;
    }

    public async Task Pause()
    {
        ThrowIfPoisoned();
        paused = true;
        writer.SetMetadata(new QueueMetadata(paused, policy));
        await Commit();
    }

    public async Task Resume()
    {
        ThrowIfPoisoned();
        paused = false;
        writer.SetMetadata(new QueueMetadata(paused, policy));
        await Commit();
        WakeWaiters();
    }

    public Task<QueueStats> GetStats() => Task.FromResult(index.Stats(queue, paused) with { Counters = counters, Watchers = watchers.Count });

    public async Task<int> RetryDeadLetters(IReadOnlyList<string>? jobIds)
    {
        ThrowIfPoisoned();
        var now = time.GetUtcNow();
        var targets = DeadLetters(jobIds);
        foreach (var job in targets)
        {
            Save(Move(job, JobState.Waiting, now) with
            {
                Attempt = 0,
                Stalls = 0,
                FinishedAt = null,
                FailureReason = null,
                RunAt = null,
            });
            writer.SealIfFull();
        }

        await Commit();
        if (targets.Count > 0)
        {
            WakeWaiters();
        }

        return targets.Count;
    }

    public async Task<int> DeleteDeadLetters(IReadOnlyList<string>? jobIds)
    {
        ThrowIfPoisoned();
        var now = time.GetUtcNow();
        var targets = DeadLetters(jobIds);
        foreach (var job in targets)
        {
            Delete(index.Get(job.Id)!, now);
            writer.SealIfFull();
        }

        await Commit();
        return targets.Count;
    }

    public async Task<int> Prune(TimeSpan olderThan, bool includeDeadLetters)
    {
        ThrowIfPoisoned();
        var now = time.GetUtcNow();
        var old = index.FinishedBefore(now - olderThan, includeDeadLetters);
        foreach (var entry in old)
        {
            Delete(entry, now);
            writer.SealIfFull();
        }

        await Commit();
        return old.Count;
    }

    public async Task SetPolicy(JobOptions policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ThrowIfPoisoned();
        if (this.policy == policy)
        {
            return;
        }

        this.policy = policy;
        writer.SetMetadata(new QueueMetadata(paused, policy));
        var now = time.GetUtcNow();
        int dropped = EnforceRetention(now);
        ForgetExpiredKeys(now);
        await Commit();
        Count(WorkersInstruments.DeadLettersDropped, dropped);
    }

    public Task<JobOptions> GetPolicy() => Task.FromResult(policy);

    public Task Tick() => TickCore();

    private async Task MaintainAsync()
    {
        await TickCore();
        if (poisoned is null)
        {
            ForgetExpiredKeys(time.GetUtcNow());
            StayWhileWatching();
            await Commit();
        }
    }

    /// <summary>
    /// Keeps the activation while its clock has something to watch (delayed jobs, leases) or clients await results: those live
    /// in this activation's memory and timers. Renewed at most about once a minute (the maintenance timer renews it too), and
    /// cancelled as soon as nothing is left to watch.
    /// </summary>
    private void StayWhileWatching()
    {
        // Orleans measures idleness on the wall clock, whatever the queue's clock is.
        var now = DateTimeOffset.UtcNow;
        if (index.CountOf(JobState.Delayed) + index.CountOf(JobState.Active) == 0 && watchers.Count == 0)
        {
            if (keptUntil > now)
            {
                // Nothing left to watch: back to ordinary collection (a zero delay cancels the earlier one).
                keptUntil = default;
                DelayDeactivation(TimeSpan.Zero);
            }

            return;
        }

        if (keptUntil - now < MaintenancePeriod)
        {
            keptUntil = now + (MaintenancePeriod * 2);
            DelayDeactivation(MaintenancePeriod * 2);
        }
    }

    private async Task TickCore()
    {
        if (poisoned is not null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var due = index.DueDelayed(now, MaxPromotionsPerTick);
        JobRecord[] promoted = [];
        if (due.Count > 0)
        {
            try
            {
                promoted = await ReadReserved(due);
            }
            catch (WorkersException) when (poisoned is null)
            {
                // The read failed and the jobs are delayed again: try once more shortly rather than at once.
                clock?.Change(ReadRetryDelay, Timeout.InfiniteTimeSpan);
                throw;
            }
        }

        bool requeued = false;
        int stalled = 0, dead = 0;
        foreach (var job in promoted)
        {
            // A promoted job is usually leased next: keep its record, within the read-ahead budget.
            Save(Move(job, JobState.Waiting, now) with { RunAt = null }, hold: index.HeldAhead < MaxHeldAhead);
            writer.SealIfFull();
            requeued = true;
        }

        foreach (var job in index.ExpiredLeases(now).Select(e => e.Record!))
        {
            // At-least-once: an expired lease means the holder died or hung; the job runs again (a stall),
            // and the attempt it started is not counted against it.
            int stalls = job.Stalls + 1;
            stalled++;
            LogStalled(logger, queue, job.Id, job.LeaseOwner, stalls);
            if (stalls > job.MaxStalls)
            {
                dead++;
                Save(Move(job, JobState.Failed, now) with
                {
                    Stalls = stalls,
                    FinishedAt = now,
                    FailureReason = JobFailureReasons.Stalled,
                    Error = job.Error ?? "The job's lease expired more often than allowed.",
                    LeaseOwner = null,
                    LeaseDeadline = null,
                });
            }
            else
            {
                Save(Move(job, JobState.Waiting, now) with
                {
                    Stalls = stalls,
                    Attempt = Math.Max(0, job.Attempt - 1),
                    LeaseOwner = null,
                    LeaseDeadline = null,
                });
                requeued = true;
            }

            writer.SealIfFull();
        }

        int dropped = dead > 0 ? EnforceRetention(now) : 0;
        watchers.Expire(now);
        ArmClock();
        if (requeued)
        {
            WakeWaiters();
        }

        await Commit();
        Count(WorkersInstruments.Stalled, stalled);
        Count(WorkersInstruments.DeadLettered, dead);
        Count(WorkersInstruments.DeadLettersDropped, dropped);
    }

    private void Count(System.Diagnostics.Metrics.Counter<long> counter, int value)
    {
        if (value > 0)
        {
            counter.Add(value, new KeyValuePair<string, object?>(WorkersInstruments.QueueTag, queue));
            counters = counter switch
            {
                _ when counter == WorkersInstruments.Enqueued => counters with { Enqueued = counters.Enqueued + value },
                _ when counter == WorkersInstruments.Completed => counters with { Completed = counters.Completed + value },
                _ when counter == WorkersInstruments.Retried => counters with { Retried = counters.Retried + value },
                _ when counter == WorkersInstruments.DeadLettered => counters with { DeadLettered = counters.DeadLettered + value },
                _ when counter == WorkersInstruments.Stalled => counters with { Stalled = counters.Stalled + value },
                _ when counter == WorkersInstruments.Cancelled => counters with { Cancelled = counters.Cancelled + value },
                _ when counter == WorkersInstruments.DeadLettersDropped => counters with { DeadLettersDropped = counters.DeadLettersDropped + value },
                _ when counter == WorkersInstruments.Refused => counters with { Refused = counters.Refused + value },
                _ => counters,
            };
        }
    }

    /// <summary>Refuses an enqueue that would take the queue past <see cref="JobOptions.MaxWaiting"/> (waiting and delayed jobs).</summary>
    private void ThrowIfFull(int newJobs)
    {
        if (policy.MaxWaiting is not { } max || newJobs == 0)
        {
            return;
        }

        int depth = index.CountOf(JobState.Waiting) + index.CountOf(JobState.Delayed);
        if (depth + newJobs <= max)
        {
            return;
        }

        Count(WorkersInstruments.Refused, newJobs);

        // Retry when the jobs in the way have been taken at the rate jobs completed since activation (1 s to 1 min).
        var elapsed = time.GetUtcNow() - counters.Since;
        double rate = elapsed > TimeSpan.Zero ? counters.Completed / elapsed.TotalSeconds : 0;
        double seconds = rate > 0 ? (depth + newJobs - max) / rate : 5;
        var retryAfter = TimeSpan.FromSeconds(Math.Ceiling(Math.Clamp(seconds, 1, 60)));
        throw new WorkersException(
            WorkersErrorCodes.QueueFull,
            $"Queue '{queue}' holds {depth} jobs that have not run, its limit is {max}; retry after {retryAfter.TotalSeconds:0} s.",
            retryAfter);
    }

    /// <summary>Adds a checked request to the index and stages it (with its idempotency key); the caller awaits the commit.</summary>
    private EnqueueResult Admit(EnqueueRequest request, long fingerprint)
    {
        var now = time.GetUtcNow();
        if (request.IdempotencyKey is { } key && LiveKey(key, now) is { } known)
        {
            var state = index.Get(known.JobId)?.State ?? known.FinalState ?? JobState.Completed;
            return new EnqueueResult(known.JobId, Created: false, state);
        }

        var keyExpires = request.IdempotencyKey is null ? (DateTimeOffset?)null : now + (request.IdempotencyTtl ?? policy.IdempotencyTtl);
        var delay = request.Delay ?? TimeSpan.Zero;
        var record = new JobRecord
        {
            Id = ids.Next(),
            Queue = queue,
            Name = request.Name,
            Payload = request.Payload,
            Priority = request.Priority ?? policy.DefaultPriority,
            State = delay > TimeSpan.Zero ? JobState.Delayed : JobState.Waiting,
            Sequence = index.NextSequence,
            MaxAttempts = request.Attempts ?? policy.Attempts,
            Backoff = request.Backoff ?? policy.Backoff,
            Timeout = request.Timeout ?? policy.Timeout,
            MaxStalls = policy.MaxStalls,
            RunAt = delay > TimeSpan.Zero ? now + delay : null,
            IdempotencyKey = request.IdempotencyKey,
            IdempotencyFingerprint = fingerprint,
            IdempotencyExpiresAt = keyExpires,
            CreatedAt = now,
            UpdatedAt = now,
        };
        Save(record);
        if (request.IdempotencyKey is { } newKey && keys.Live(newKey, record.Id, fingerprint, keyExpires!.Value))
        {
            // The key is the job's record's now; the key stored on its own (of a job long gone) goes.
            writer.DeleteKey(newKey);
        }

        if (record.State == JobState.Waiting)
        {
            WakeWaiters();
        }
        else
        {
            ArmClock();
        }

        return new EnqueueResult(record.Id, Created: true, record.State);
    }

    /// <summary>
    /// Before anything of a call is admitted: the fingerprints of its keyed requests, how many jobs it would create, and a
    /// refusal (IDEMPOTENCY_KEY_REUSED) when a key the queue remembers, or an earlier request of the same call, comes with a
    /// different body.
    /// </summary>
    private (long[] Fingerprints, int NewJobs) CheckKeys(IReadOnlyList<EnqueueRequest> requests, DateTimeOffset now)
    {
        var fingerprints = new long[requests.Count];
        Dictionary<string, long>? earlier = null;
        int newJobs = 0;
        for (int i = 0; i < requests.Count; i++)
        {
            if (requests[i].IdempotencyKey is not { } key)
            {
                newJobs++;
                continue;
            }

            long fingerprint = fingerprints[i] = IdempotencyKeys.Fingerprint(requests[i]);
            long known;
            if (earlier is not null && earlier.TryGetValue(key, out var first))
            {
                known = first;
            }
            else if (LiveKey(key, now) is { } remembered)
            {
                known = remembered.Fingerprint;
            }
            else
            {
                (earlier ??= new(StringComparer.Ordinal))[key] = fingerprint;
                newJobs++;
                continue;
            }

            if (known != 0 && known != fingerprint)
            {
                throw new WorkersException(
                    WorkersErrorCodes.IdempotencyKeyReused,
                    requests.Count == 1
                        ? "This idempotency key was used for a job with a different body; use a new key for a new job."
                        : $"Job {i}: this idempotency key was used for a job with a different body; use a new key for a new job.");
            }
        }

        return (fingerprints, newJobs);
    }

    /// <summary>A remembered key that still holds: within its window, or its job still kept.</summary>
    private IdempotencyKeys.Key? LiveKey(string key, DateTimeOffset now) =>
        keys.TryGet(key, out var known) && (known.ExpiresTicks > now.UtcTicks || index.Get(known.JobId) is not null) ? known : null;

    /// <summary>Forgets keys that outlived their jobs once their window ends (a key whose job is kept goes when the job does).</summary>
    private void ForgetExpiredKeys(DateTimeOffset now)
    {
        foreach (var key in keys.ForgetEnded(now))
        {
            writer.DeleteKey(key);
        }
    }

    /// <summary>The next lease token of a job: above its last one, above every token this activation gave, and at least the time floor.</summary>
    private long NextToken(JobRecord job, DateTimeOffset now)
    {
        lastToken = Math.Max(Math.Max(lastToken, job.LeaseToken) + 1, FencingFloor.Micros(now));
        return lastToken;
    }

    private static JobRecord Apply(JobRecord job, JobOutcome outcome, DateTimeOffset now)
    {
        var released = job with { LeaseOwner = null, LeaseDeadline = null, UpdatedAt = now };
        switch (outcome.Kind)
        {
            case JobOutcomeKind.Completed:
                return Move(released, JobState.Completed, now) with { Result = outcome.Result, FinishedAt = now, Progress = 100, Error = null };
            case JobOutcomeKind.Released:
                // A graceful stop handed it back: the attempt does not count.
                return Move(released, JobState.Waiting, now) with { Attempt = Math.Max(0, job.Attempt - 1) };
            case JobOutcomeKind.Deferred:
                // Vetoed or blocked by an open circuit: it waits, the attempt does not count, no error is recorded.
                return outcome.Delay <= TimeSpan.Zero
                    ? Move(released, JobState.Waiting, now) with { Attempt = Math.Max(0, job.Attempt - 1) }
                    : Move(released, JobState.Delayed, now) with { Attempt = Math.Max(0, job.Attempt - 1), RunAt = now + outcome.Delay };
            case JobOutcomeKind.FailedUnrecoverable:
                return Move(released, JobState.Failed, now) with { Error = outcome.Error, FinishedAt = now, FailureReason = JobFailureReasons.Unrecoverable };
            default:
                if (job.Attempt >= job.MaxAttempts)
                {
                    return Move(released, JobState.Failed, now) with { Error = outcome.Error, FinishedAt = now, FailureReason = JobFailureReasons.AttemptsExhausted };
                }

                var delay = job.Backoff.ComputeDelay(job.Attempt, Random.Shared.NextDouble());
                return delay <= TimeSpan.Zero
                    ? Move(released, JobState.Waiting, now) with { Error = outcome.Error }
                    : Move(released, JobState.Delayed, now) with { Error = outcome.Error, RunAt = now + delay };
        }
    }

    /// <summary>Whether a report or renewal about a lease may act: the job is active under that token, held by that replica
    /// (<paramref name="replicaId"/> null: any holder, for calls made on the attempt's behalf such as progress).</summary>
    private static AckStatus Check(JobEntry? job, long leaseToken, string? replicaId) => job switch
    {
        null => AckStatus.NotFound,
        _ when JobStateMachine.IsTerminal(job.State) => AckStatus.AlreadyFinished,
        _ when job.State != JobState.Active || job.Record!.LeaseToken != leaseToken => AckStatus.StaleLease,
        _ when replicaId is not null && !string.Equals(job.Record.LeaseOwner, replicaId, StringComparison.Ordinal) => AckStatus.StaleLease,
        _ => AckStatus.Accepted,
    };

    private static JobRecord Move(JobRecord job, JobState to, DateTimeOffset now) =>
        job with { State = JobStateMachine.Move(job.State, to), UpdatedAt = now };

    private List<JobRecord> DeadLetters(IReadOnlyList<string>? jobIds) => jobIds is null
        ? index.List(JobState.Failed).Select(e => e.Record!).ToList()
        : jobIds.Select(index.Get).Where(e => e is { State: JobState.Failed }).Select(e => e!.Record!).ToList();

    /// <summary>Deletes the oldest finished jobs past retention and the oldest dead letters past their bound; returns how many
    /// dead letters went.</summary>
    private int EnforceRetention(DateTimeOffset now)
    {
        while (index.FinishedCount > policy.RetainCompleted && index.OldestFinished() is { } oldest)
        {
            Delete(oldest, now);
            writer.SealIfFull();
        }

        int dropped = 0;
        while (index.FailedCount > policy.MaxDeadLetters && index.OldestFailed() is { } oldestDead)
        {
            Delete(oldestDead, now);
            writer.SealIfFull();
            dropped++;
        }

        return dropped;
    }

    private void Save(JobRecord record, bool hold = false)
    {
        index.Put(record, hold);
        writer.Upsert(record);
        if (JobStateMachine.IsSettled(record.State) && watchers.Take(record.Id) is { } observers)
        {
            // Told after this record's write succeeds; retention may delete it before then, the notice keeps it.
            writer.Notify(new SettledNotice(record, observers));
        }
    }

    /// <summary>Deletes a finished or dead-lettered job (their records are in memory); its idempotency key outlives it until
    /// the key's window ends, stored on its own with how the job ended.</summary>
    private void Delete(JobEntry entry, DateTimeOffset now)
    {
        var record = entry.Record;
        index.Remove(entry.Id);
        writer.Delete(entry.Id);
        if (record?.IdempotencyKey is { } key && keys.Outlive(key, entry.Id, record.State, record.CreatedAt, now) is { } outliving)
        {
            writer.UpsertKey(outliving);
        }
    }

    private void NotifyWatchers(IReadOnlyList<SettledNotice> notices)
    {
        foreach (var notice in notices)
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

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

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

    private void ArmClock()
    {
        if (clock is null)
        {
            return;
        }

        StayWhileWatching();
        var next = index.NextDue();
        if (next is null)
        {
            clock.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var dueIn = next.Value - time.GetUtcNow();
        clock.Change(dueIn < TimeSpan.Zero ? TimeSpan.Zero : dueIn, Timeout.InfiniteTimeSpan);
    }

    private void OnClock()
    {
        // Runs on a timer thread: re-enter through the grain so the work happens in a grain turn.
        self?.Tick().ContinueWith(
            static (t, s) => LogClockFailed(((QueueGrain)s!).logger, ((QueueGrain)s!).queue, t.Exception!.GetBaseException()),
            this,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
    }

    /// <summary>The latest record of a job when memory has it: kept by the index, staged, or in the write in flight.</summary>
    private JobRecord? InMemory(JobEntry entry, string id) => entry.Record ?? writer.Find(id);

    /// <summary>A job's record for a caller: never a state that is not yet durable.</summary>
    private async Task<JobRecord?> Show(JobEntry entry, string id)
    {
        if (InMemory(entry, id) is { } job)
        {
            await Commit();
            return job;
        }

        // Only the store has it, so it is durable; a read-only look needs no reservation.
        return (await LoadJobs([id]))[0];
    }

    /// <summary>
    /// The current records of waiting or delayed jobs, to move them: from memory where it has them, the rest in one store
    /// read. During the read the jobs are reserved (out of their ordered sets), so no interleaving call leases, promotes or
    /// cancels them; the caller moves them (<see cref="Save"/>) before its next await. A stored record that does not match
    /// its entry means the store no longer agrees with this activation: it reloads, as after a failed write.
    /// With <paramref name="readAhead"/>, a read also fetches the records of the next waiting jobs (<see cref="ReadAhead"/>).
    /// </summary>
    private async ValueTask<JobRecord[]> ReadReserved(List<JobEntry> entries, bool readAhead = false)
    {
        var records = new JobRecord[entries.Count];
        List<int>? stored = null;
        List<string>? ids = null;
        for (int i = 0; i < entries.Count; i++)
        {
            if (entries[i].Record is { } held)
            {
                records[i] = held;
                continue;
            }

            string id = entries[i].Id;
            if (InMemory(entries[i], id) is { } job)
            {
                records[i] = job;
            }
            else
            {
                (stored ??= []).Add(i);
                (ids ??= []).Add(id);
            }
        }

        if (stored is null)
        {
            return records;
        }

        var ahead = readAhead ? NextWithoutRecords(entries.Count, ids!) : [];
        index.Reserve(entries);
        IReadOnlyList<JobRecord?> read;
        try
        {
            read = await LoadJobs(ids!);
            ThrowIfPoisoned();
        }
        catch
        {
            index.Unreserve(entries);
            EndReservations();
            throw;
        }

        EndReservations();
        for (int k = 0; k < stored.Count; k++)
        {
            var entry = entries[stored[k]];
            if (read[k] is not { } job || job.State != entry.State)
            {
                index.Unreserve(entries);
                LogStoreDiverged(logger, queue, ids![k], entry.State, read[k]?.State);
                Poison(new InvalidDataException($"Job '{ids[k]}' of queue '{queue}' is {read[k]?.State.ToString() ?? "missing"} in the store, {entry.State} in the index."));
                ThrowIfPoisoned();
            }

            records[stored[k]] = read[k]!;
        }

        for (int k = 0; k < ahead.Count; k++)
        {
            // Not reserved, so other calls may have moved the job meanwhile: hold the record only if the job did not change.
            var (entry, version) = ahead[k];
            if (read[stored.Count + k] is { State: JobState.Waiting } job && entry.Version == version && entry.State == JobState.Waiting
                && !entry.Reserved && index.HeldAhead < MaxHeldAhead)
            {
                index.Hold(entry, job);
            }
        }

        return records;
    }

    /// <summary>
    /// Waiting jobs after the first <paramref name="skip"/> whose records memory lacks, up to <see cref="ReadAhead"/> and the
    /// budget; their ids are added to <paramref name="ids"/>, their versions noted to detect a change during the read.
    /// </summary>
    private List<(JobEntry Entry, int Version)> NextWithoutRecords(int skip, List<string> ids)
    {
        var ahead = new List<(JobEntry, int)>();
        int room = Math.Min(ReadAhead, MaxHeldAhead - index.HeldAhead);
        foreach (var entry in index.List(JobState.Waiting).Skip(skip))
        {
            if (ahead.Count >= room)
            {
                break;
            }

            if (entry.Record is null && entry.Id is var id && InMemory(entry, id) is null)
            {
                ahead.Add((entry, entry.Version));
                ids.Add(id);
            }
        }

        return ahead;
    }

    /// <summary>One store read; a failure is the caller's QUEUE_UNAVAILABLE, and changes nothing here.</summary>
    private async Task<IReadOnlyList<JobRecord?>> LoadJobs(IReadOnlyList<string> ids)
    {
        try
        {
            return await store.LoadJobsAsync(queue, ids, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not WorkersException)
        {
            LogStoreReadFailed(logger, queue, ex);
            throw new WorkersException(WorkersErrorCodes.QueueUnavailable, $"The job store could not be read for queue '{queue}'; retry.");
        }
    }

    private Task ReservationEnded() =>
        (reservationsEnded ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private void EndReservations()
    {
        var ended = reservationsEnded;
        reservationsEnded = null;
        ended?.TrySetResult();
    }

    /// <summary>Awaits the write that makes every change staged so far durable (group commit).</summary>
    private Task Commit() => writer.Commit();

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
