namespace ZinTrust.Workers.Grains;

/// <summary>
/// Time-based floors for the queue's fencing numbers (its epoch, its jobs' lease tokens), so they keep growing even when the
/// job store lost its last writes: Redis with AOF fsync every second can lose about a second of writes on a host crash,
/// increments included, and a number that went back would let an old lease holder or an old activation write again.
/// </summary>
/// <remarks>
/// Both floors count microseconds since the Unix epoch (below 2^53, exact as a double in Redis's Lua, until the year 2255).
/// A number taken after a loss is above every number lost with it as long as the clock of the silo taking it is not behind the
/// clock of the silo that took the lost one by more than the time between the two; restarting a crashed Redis host takes longer
/// than NTP-disciplined clocks drift apart.
/// </remarks>
internal static class FencingFloor
{
    private static readonly long UnixEpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;

    /// <summary>Microseconds since the Unix epoch.</summary>
    public static long Micros(DateTimeOffset now) => (now.UtcTicks - UnixEpochTicks) / 10;

    /// <summary>An epoch floor: the time in milliseconds times 1000 plus a random part, so two activations claiming within the
    /// same millisecond from an equal stored value still differ.</summary>
    public static long Epoch(DateTimeOffset now) => (Micros(now) / 1000 * 1000) + Random.Shared.Next(1000);
}
