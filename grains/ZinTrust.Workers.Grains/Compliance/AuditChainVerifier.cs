namespace ZinTrust.Workers.Grains;

/// <summary>
/// Walks records in the order the store keeps them and checks each against the chain: its sequence follows the one before, its
/// previous hash is that record's hash, and its own hash is the hash of its canonical form. Stops counting at the first failure.
/// </summary>
public sealed class AuditChainVerifier
{
    private long expectedSequence;
    private string expectedPrevious;

    /// <summary>Starts a walk at <paramref name="firstSequence"/>, whose record must name <paramref name="previousHash"/> (the
    /// chain's anchor: <see cref="AuditChain.Genesis"/>, the hash of the last trimmed record, or of the record before a range).</summary>
    public AuditChainVerifier(long firstSequence, string previousHash)
    {
        expectedSequence = firstSequence;
        expectedPrevious = previousHash;
    }

    public long Checked { get; private set; }

    public long? FirstBad { get; private set; }

    public string? Reason { get; private set; }

    public bool Valid => FirstBad is null;

    /// <summary>The sequence the next record must have.</summary>
    public long NextSequence => expectedSequence;

    /// <summary>The hash the next record must name as its previous one.</summary>
    public string LastHash => expectedPrevious;

    /// <summary>Checks one more record; false (and the walk's verdict fixed) at the first that does not hold.</summary>
    public bool Add(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!Valid)
        {
            return false;
        }

        if (record.Sequence != expectedSequence)
        {
            return Fail(expectedSequence, record.Sequence > expectedSequence
                ? $"record {expectedSequence} is missing (the next record kept is {record.Sequence})"
                : $"record {record.Sequence} is out of order (record {expectedSequence} was expected here)");
        }

        if (!string.Equals(record.PreviousHash, expectedPrevious, StringComparison.Ordinal))
        {
            return Fail(record.Sequence, $"record {record.Sequence} does not link to the record before it (its previous hash differs)");
        }

        if (!string.Equals(AuditChain.ComputeHash(record), record.Hash, StringComparison.Ordinal))
        {
            return Fail(record.Sequence, $"record {record.Sequence} was changed (its content does not match its hash)");
        }

        Checked++;
        expectedSequence++;
        expectedPrevious = record.Hash;
        return true;
    }

    /// <summary>Ends the walk at the head the store names: the records must reach it and the last must be it.</summary>
    public void End(long headSequence, string headHash)
    {
        if (!Valid)
        {
            return;
        }

        if (expectedSequence <= headSequence)
        {
            Fail(expectedSequence, $"records {expectedSequence}..{headSequence} are missing (the log's head is {headSequence})");
        }
        else if (expectedSequence - 1 == headSequence && !string.Equals(expectedPrevious, headHash, StringComparison.Ordinal))
        {
            Fail(headSequence, $"record {headSequence} is not the head the log recorded (its hash differs)");
        }
    }

    /// <summary>Marks the walk failed at <paramref name="sequence"/> for a reason found outside the records (a missing range).</summary>
    public bool Fail(long sequence, string reason)
    {
        if (Valid)
        {
            FirstBad = sequence;
            Reason = reason;
        }

        return false;
    }

    public AuditVerification Result() => new(Valid, Checked, FirstBad, Reason);
}
