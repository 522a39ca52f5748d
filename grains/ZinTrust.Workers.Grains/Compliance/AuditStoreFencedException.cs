namespace ZinTrust.Workers.Grains;

/// <summary>An audit write was refused: another writer claimed the log since (its epoch is newer), or the stored head is not the
/// one the writer chained its records to. Nothing of the refused write was stored.</summary>
public sealed class AuditStoreFencedException : Exception
{
    public AuditStoreFencedException()
    {
    }

    public AuditStoreFencedException(string message)
        : base(message)
    {
    }

    public AuditStoreFencedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
