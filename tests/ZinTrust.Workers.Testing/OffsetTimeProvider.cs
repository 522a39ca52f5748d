namespace ZinTrust.Workers.Testing;

/// <summary>The system clock shifted by <paramref name="offset"/>: a silo whose wall clock is skewed. Timers and elapsed-time
/// stamps are the system's (they measure durations, which skew does not change).</summary>
public sealed class OffsetTimeProvider(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
}
