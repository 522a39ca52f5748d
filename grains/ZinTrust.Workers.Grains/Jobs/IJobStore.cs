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
/// <para>Ownership is fenced: every <see cref="LoadAsync"/> claims the queue with a new, higher epoch, and a
/// commit carrying an older epoch is refused with <see cref="JobStoreFencedException"/>. So if two activations
/// of one queue ever coexist (a partition, a slow deactivation), only the newest can write.</para>
/// </remarks>
public interface IJobStore
{
    /// <summary>Claims the queue (a new epoch) and reads everything stored for it.</summary>
    Task<QueueSnapshot> LoadAsync(string queue, CancellationToken cancellationToken);

    /// <summary>Applies one batch atomically, if <paramref name="epoch"/> is still the queue's current epoch.</summary>
    Task CommitAsync(string queue, long epoch, JobStoreBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the stored records of some jobs of a queue in one round trip: one entry per id, in the order asked, null
    /// where nothing is stored. Sees every batch whose <see cref="CommitAsync"/> has returned. Claims nothing.
    /// </summary>
    Task<IReadOnlyList<JobRecord?>> LoadJobsAsync(string queue, IReadOnlyList<string> jobIds, CancellationToken cancellationToken);
}

/// <summary>Everything a queue grain needs to rebuild itself, and the epoch its writes must carry.</summary>
public sealed record QueueSnapshot(IReadOnlyCollection<JobRecord> Jobs, QueueMetadata? Metadata, long Epoch);

/// <summary>Queue-level settings kept beside the jobs.</summary>
[GenerateSerializer, Immutable, Alias("zt.QueueMetadata")]
public sealed record QueueMetadata([property: Id(0)] bool Paused, [property: Id(1)] JobOptions Policy);

/// <summary>One atomic write: whole records to upsert, ids to delete, and optionally new metadata.</summary>
public sealed record JobStoreBatch(IReadOnlyCollection<JobRecord> Upserts, IReadOnlyCollection<string> Deletes, QueueMetadata? Metadata);

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
