namespace ZinTrust.Workers.Grains;

/// <summary>
/// The service key of the <see cref="TimeProvider"/> that drives job semantics (delays, backoff, timeouts,
/// lease deadlines). A keyed clock, so tests can fake it without faking Orleans' own clock.
/// </summary>
public static class WorkersClock
{
    public const string Key = "zintrust-workers";
}
