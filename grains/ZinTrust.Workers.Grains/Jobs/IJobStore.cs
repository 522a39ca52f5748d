using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Durable home of a queue's jobs. The queue grain keeps the index in memory and writes every change here
/// before it acknowledges anything; on activation it rebuilds the index from <see cref="LoadAsync"/>. The index keeps
/// waiting and delayed jobs without their records, and reads those back with <see cref="LoadJobsAsync"/> when it needs them.
/// </summary>
/// <remarks>
/// <para>Contract for implementations: <see cref="CommitAsync"/> applies a batch atomically (all of it or none) and
/// returns only when the batch is durable by the store's own standard; a thrown exception means "maybe not
/// applied", and the queue grain then drops its in-memory state and reloads.</para>
/// <para>Ownership is fenced: every <see cref="LoadAsync"/> claims the queue with a new epoch, higher than the stored one
/// and at least the floor the caller gives (the queue grain gives a time-based one, so epochs keep growing even when the
/// store lost its last writes, as Redis with AOF fsync every second can on a host crash). A commit carrying any other
/// epoch is refused with <see cref="JobStoreFencedException"/>. So if two activations of one queue ever coexist (a
/// partition, a slow deactivation), only the newest can write.</para>
/// <para>Besides job records a queue stores its metadata and its idempotency keys (kept for a time window, independently of
/// the jobs they name).</para>
/// </remarks>
public interface IJobStore
{
    /// <summary>Claims the queue with a new epoch (above the stored one and at least <paramref name="epochFloor"/>) and reads
    /// everything stored for it.</summary>
    Task<QueueSnapshot> LoadAsync(string queue, long epochFloor, CancellationToken cancellationToken);

    /// <summary>Applies one batch atomically, if <paramref name="epoch"/> is still the queue's current epoch.</summary>
    Task CommitAsync(string queue, long epoch, JobStoreBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the stored records of some jobs of a queue in one round trip: one entry per id, in the order asked, null
    /// where nothing is stored. Sees every batch whose <see cref="CommitAsync"/> has returned. Claims nothing.
    /// </summary>
    Task<IReadOnlyList<JobRecord?>> LoadJobsAsync(string queue, IReadOnlyList<string> jobIds, CancellationToken cancellationToken);

    /// <summary>Whether anything is stored for the queue (jobs, metadata or idempotency keys). Claims nothing, creates nothing.</summary>
    Task<bool> ExistsAsync(string queue, CancellationToken cancellationToken);

    /// <summary>Every queue that holds something in the store (jobs, metadata or idempotency keys), in no particular order.
    /// Claims nothing. Used by sweeps over all data (re-encryption, erasure, retention), not on the job path.</summary>
    Task<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken);
}

/// <summary>Everything a queue grain needs to rebuild itself, and the epoch its writes must carry.</summary>
public sealed record QueueSnapshot(IReadOnlyCollection<JobRecord> Jobs, QueueMetadata? Metadata, long Epoch)
{
    /// <summary>The queue's remembered idempotency keys.</summary>
    public IReadOnlyCollection<IdempotencyKeyRecord> Keys { get; init; } = [];
}

/// <summary>Queue-level settings kept beside the jobs.</summary>
[GenerateSerializer, Immutable, Alias("zt.QueueMetadata")]
public sealed record QueueMetadata([property: Id(0)] bool Paused, [property: Id(1)] JobOptions Policy);

/// <summary>One atomic write: whole records to upsert, ids to delete, optionally new metadata, and idempotency keys to
/// remember or forget.</summary>
public sealed record JobStoreBatch(IReadOnlyCollection<JobRecord> Upserts, IReadOnlyCollection<string> Deletes, QueueMetadata? Metadata)
{
    public IReadOnlyCollection<IdempotencyKeyRecord> KeyUpserts { get; init; } = [];

    public IReadOnlyCollection<string> KeyDeletes { get; init; } = [];
}

/// <summary>
/// An idempotency key a queue remembers after its job was deleted (while the job exists, its record holds the key): the job
/// it created, a fingerprint of the request's body, the state the job ended in, and until when it is remembered.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.IdempotencyKeyRecord")]
public sealed record IdempotencyKeyRecord
{
    [Id(0)] public required string Key { get; init; }
    [Id(1)] public required string JobId { get; init; }

    /// <summary>A 64-bit hash of the request's body (payload and options); 0 when unknown (a key recovered from an older record).</summary>
    [Id(2)] public long Fingerprint { get; init; }
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The state the job ended in, once retention deleted it; null while the job is kept.</summary>
    [Id(4)] public JobState? FinalState { get; init; }

    /// <summary>When the key is forgotten; unset in keys written before the window was stored (then created + the queue's TTL).</summary>
    [Id(5)] public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>A commit was refused because a newer activation of the queue has claimed it.</summary>
public sealed class JobStoreFencedException : Exception
{
    public JobStoreFencedException()
    {
    }

    public JobStoreFencedException(string message)
        : base(message)
    {
    }

    public JobStoreFencedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
