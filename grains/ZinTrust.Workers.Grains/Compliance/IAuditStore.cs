namespace ZinTrust.Workers.Grains;

/// <summary>
/// Durable home of the audit log: an append-only sequence of hash-chained records (see <see cref="AuditChain"/>) and its head.
/// The one writer is the audit log grain; it claims the log on activation and every write carries its epoch.
/// </summary>
/// <remarks>
/// <para>Contract for implementations: <see cref="AppendAsync"/> applies a batch atomically (all of it or none), and only when the
/// epoch is still the current one and the batch's first record follows the stored head (its sequence is the head's + 1 and
/// its previous hash the head's hash); it then moves the head to the batch's last record. Otherwise it throws
/// <see cref="AuditStoreFencedException"/> and stores nothing. So a second activation of the writer (a partition, a slow
/// deactivation) cannot fork the chain: the first of the two to write after the other's claim is refused.</para>
/// <para>Nothing edits or deletes records except <see cref="TrimAsync"/> (retention), which removes the oldest and records the
/// last removed record's sequence and hash as the chain's anchor.</para>
/// </remarks>
public interface IAuditStore
{
    /// <summary>Claims the log with a new epoch (above the stored one and at least <paramref name="epochFloor"/>) and returns the head.</summary>
    Task<AuditHead> ClaimAsync(long epochFloor, CancellationToken cancellationToken);

    /// <summary>The head as stored, without claiming anything.</summary>
    Task<AuditHead> GetHeadAsync(CancellationToken cancellationToken);

    /// <summary>Appends linked records (consecutive sequences) after the head, if <paramref name="epoch"/> is current.</summary>
    Task AppendAsync(long epoch, IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="count"/> kept records with a sequence of at least <paramref name="fromSequence"/>, in sequence order.</summary>
    Task<IReadOnlyList<AuditRecord>> ReadAsync(long fromSequence, int count, CancellationToken cancellationToken);

    /// <summary>Removes every record before sequence <paramref name="keepFrom"/> (never the head's own record) and makes the last
    /// removed one the anchor, if <paramref name="epoch"/> is current. Returns how many records it removed.</summary>
    Task<long> TrimAsync(long epoch, long keepFrom, CancellationToken cancellationToken);
}
