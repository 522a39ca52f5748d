using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Durable home of a queue's jobs. The queue grain keeps the index in memory and writes every change here
/// before it acknowledges anything; on activation it rebuilds the index from <see cref="LoadAsync"/>.
/// </summary>
/// <remarks>
/// Contract for implementations: <see cref="CommitAsync"/> applies a batch atomically (all of it or none) and
/// returns only when the batch is durable by the store's own standard; a thrown exception means "maybe not
/// applied", and the queue grain then drops its in-memory state and reloads.
/// </remarks>
public interface IJobStore
{
    Task<QueueSnapshot> LoadAsync(string queue, CancellationToken cancellationToken);

    Task CommitAsync(string queue, JobStoreBatch batch, CancellationToken cancellationToken);
}

/// <summary>Everything a queue grain needs to rebuild itself.</summary>
public sealed record QueueSnapshot(IReadOnlyCollection<JobRecord> Jobs, QueueMetadata? Metadata);

/// <summary>Queue-level settings kept beside the jobs.</summary>
public sealed record QueueMetadata(bool Paused, JobOptions Policy);

/// <summary>One atomic write: whole records to upsert, ids to delete, and optionally new metadata.</summary>
public sealed record JobStoreBatch(IReadOnlyCollection<JobRecord> Upserts, IReadOnlyCollection<string> Deletes, QueueMetadata? Metadata);
