namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// One queue, or one partition of a partitioned queue (key: the queue name for partition 0, <c>{queue}#{p}</c> for partition p;
/// see <see cref="QueuePartitions"/>, which producers and readers go through). Owns its index of jobs; every change is written
/// to the job store before the call that caused it returns.
/// </summary>
// v2: LeaseFor (the replica says its version) and SetSplit (canary traffic); v1 callers (replicas of the release before) keep Lease.
// v4: EnqueueEach (coalesced single enqueues) and AdoptPolicy (partition 0 hands the other partitions the queue's policy);
// Orleans routes their calls to silos that have them (upgrade silos before clients).
[Alias("zt.IQueueGrain"), Orleans.CodeGeneration.Version(4)]
public interface IQueueGrain : IGrainWithStringKey
{
    /// <summary>Enqueues one job; returns once the job store has it. Refused with <c>QUEUE_FULL</c> (and a retry-after) while the
    /// queue is at its <see cref="JobOptions.MaxWaiting"/>, and with <c>IDEMPOTENCY_KEY_REUSED</c> when a remembered key comes with a
    /// different body.</summary>
    [Alias("Enqueue")]
    Task<EnqueueResult> Enqueue(EnqueueRequest request);

    /// <summary>Enqueues many jobs in one store write; all or none are acknowledged.</summary>
    [Alias("EnqueueBatch")]
    Task<IReadOnlyList<EnqueueResult>> EnqueueBatch(IReadOnlyList<EnqueueRequest> requests);

    /// <summary>
    /// Enqueues up to 10,000 independent jobs (single enqueues of many callers, coalesced by <see cref="EnqueueBatcher"/>): each is
    /// accepted or refused on its own, exactly as <see cref="Enqueue"/> would (validation, <c>QUEUE_FULL</c>, a reused idempotency
    /// key), in order, and the accepted ones are acknowledged when the store has them. A failure of the call itself (a failed store
    /// write, an unavailable queue) acknowledges none.
    /// </summary>
    [Alias("EnqueueEach")]
    Task<IReadOnlyList<EnqueueOutcome>> EnqueueEach(IReadOnlyList<EnqueueRequest> requests);

    /// <summary>Leases up to <paramref name="max"/> waiting jobs, highest priority first, FIFO within a priority.
    /// An empty answer registers the replica to be woken when work arrives.</summary>
    [Alias("Lease")]
    Task<IReadOnlyList<LeasedJob>> Lease(string replicaId, int max);

    /// <summary>As <see cref="Lease"/>, for a replica that says which worker version it runs (recorded on each job it takes).
    /// Replicas of this release call this one; <see cref="Lease"/> stays for replicas of the release before (a rolling upgrade).</summary>
    [Alias("LeaseFor")]
    Task<IReadOnlyList<LeasedJob>> LeaseFor(LeaseRequest request);

    /// <summary>Shares the queue's jobs between a canary version's replicas and the others (null: no split). Held in memory: the
    /// canary re-asserts it on every evaluation, so a queue grain that moved gets it back within one.</summary>
    [Alias("SetSplit")]
    Task SetSplit(TrafficSplit? split);

    /// <summary>Applies outcomes of leased jobs; each is fenced by its lease token and its owner (a report from a replica that does
    /// not hold the lease is a <see cref="AckStatus.StaleLease"/>).</summary>
    [Alias("Report")]
    Task<IReadOnlyList<AckStatus>> Report(string replicaId, IReadOnlyList<JobOutcome> outcomes);

    /// <summary>Extends the leases a replica still holds by the queue's current lease duration; says which it no longer
    /// holds (cancelled, expired, finished, leased again) and how long the renewed ones last.</summary>
    [Alias("RenewLeases")]
    Task<LeaseRenewal> RenewLeases(string replicaId, IReadOnlyList<JobLeaseRef> leases);

    /// <summary>Records progress (0..100) of a leased job; false when the lease is no longer current.</summary>
    [Alias("ReportProgress")]
    Task<bool> ReportProgress(JobLeaseRef lease, int progress);

    /// <summary>A child of the flow's parent <paramref name="parentId"/> settled: recorded once per child; the parent runs when the
    /// last one has (or is dead-lettered at a failure, as its policy says). Nothing happens when the parent no longer waits.</summary>
    [Alias("ChildSettled")]
    Task ChildSettled(string parentId, ChildOutcome outcome);

    /// <summary>Appends lines a leased job's processor logged to the job's log; false when the lease is no longer current.</summary>
    [Alias("AppendLogs")]
    Task<bool> AppendLogs(JobLeaseRef lease, JobLogBatch logs);

    [Alias("GetJob")]
    Task<JobRecord?> GetJob(string jobId);

    /// <summary>
    /// Registers <paramref name="observer"/> to be told once when the job settles, for at most
    /// <paramref name="lifetime"/> (clamped to <see cref="JobWatchLimits"/>; calling again renews it), and returns the job's current,
    /// durable record. Nothing is registered when the job is unknown (null) or already settled.
    /// </summary>
    [Alias("WatchJob")]
    Task<JobRecord?> WatchJob(string jobId, IJobCompletionObserver observer, TimeSpan lifetime);

    /// <summary>Removes a registration made by <see cref="WatchJob"/>; unknown ones are ignored.</summary>
    [Alias("UnwatchJob")]
    Task UnwatchJob(string jobId, IJobCompletionObserver observer);

    /// <summary>Lists jobs in one state, oldest first (dead letters: in failure order).</summary>
    [Alias("ListJobs")]
    Task<IReadOnlyList<JobRecord>> ListJobs(JobState state, int offset, int limit);

    /// <summary>Cancels a waiting, delayed or running job; a running processor's token fires wherever it runs.</summary>
    [Alias("Cancel")]
    Task<CancelResult> Cancel(string jobId);

    [Alias("Pause")]
    Task Pause();

    [Alias("Resume")]
    Task Resume();

    [Alias("GetStats")]
    Task<QueueStats> GetStats();

    /// <summary>Moves dead-lettered jobs back to waiting with fresh attempts; null ids = all. Returns how many moved.</summary>
    [Alias("RetryDeadLetters")]
    Task<int> RetryDeadLetters(IReadOnlyList<string>? jobIds);

    /// <summary>Deletes dead-lettered jobs; null ids = all. Returns how many were deleted.</summary>
    [Alias("DeleteDeadLetters")]
    Task<int> DeleteDeadLetters(IReadOnlyList<string>? jobIds);

    /// <summary>Deletes completed and cancelled jobs that finished more than <paramref name="olderThan"/> ago, and dead-lettered
    /// ones too when <paramref name="includeDeadLetters"/> is set. Returns how many.</summary>
    [Alias("PruneFinished")]
    Task<int> Prune(TimeSpan olderThan, bool includeDeadLetters);

    /// <summary>Sets the queue's job policy (attempts, backoff, timeout, stalls, lease, retention, default priority, partitions).
    /// Sent to partition 0, which hands it to the other partitions; a change of the partition count is refused with
    /// <c>PARTITIONS_LOCKED</c> while a partition holds jobs.</summary>
    [Alias("SetPolicy")]
    Task SetPolicy(JobOptions policy);

    [Alias("GetPolicy")]
    Task<JobOptions> GetPolicy();

    /// <summary>Internal: partition 0 of a queue hands partition p ≥ 1 the queue's policy and pause flag. Unless
    /// <paramref name="force"/>d (an undo), refused with <c>PARTITIONS_LOCKED</c> when it changes the partition count while this
    /// partition holds unsettled jobs (or, when the partition goes, any job).</summary>
    [Alias("AdoptPolicy")]
    Task AdoptPolicy(JobOptions policy, bool paused, bool force);

    /// <summary>Rewrites every stored record of the queue, so it is stored under the active encryption key (a key rotation's
    /// re-encryption sweep); returns how many records were written. Jobs that move meanwhile are written by their own moves.</summary>
    [Alias("Reencrypt")]
    Task<int> Reencrypt();

    /// <summary>Erases the personal data of every job naming <paramref name="subject"/> in its <see cref="JobHeaders.DataSubject"/>
    /// header: unsettled jobs are cancelled, then completed and cancelled ones anonymised, dead letters deleted.</summary>
    [Alias("EraseSubject")]
    Task<SubjectErasure> EraseSubject(string subject);

    /// <summary>Internal: the queue's clock fired (delayed jobs due, leases expired).</summary>
    [Alias("Tick")]
    Task Tick();
}
