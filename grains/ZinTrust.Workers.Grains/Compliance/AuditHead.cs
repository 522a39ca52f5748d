namespace ZinTrust.Workers.Grains;

/// <summary>
/// Where the stored chain stands: the writer's <see cref="Epoch"/>, the last record (<see cref="LastSequence"/>, 0 when none was
/// ever written, and <see cref="LastHash"/>), and the anchor left by retention: the sequence and hash of the last record trimmed
/// (0 and <see cref="AuditChain.Genesis"/> while nothing was), which the oldest kept record must follow.
/// </summary>
public sealed record AuditHead(long Epoch, long LastSequence, string LastHash, long AnchorSequence, string AnchorHash)
{
    public static AuditHead Empty(long epoch) => new(epoch, 0, AuditChain.Genesis, 0, AuditChain.Genesis);
}
