using Orleans.Concurrency;

namespace ZinTrust.Workers.Abstractions;

[GenerateSerializer, Alias("zt.CircuitState")]
public enum CircuitState
{
    /// <summary>Jobs run; failures are counted.</summary>
    Closed = 0,

    /// <summary>Nothing runs: jobs wait in the queue (no attempt is used) until <see cref="CircuitBreakerOptions.ResetTimeout"/>.</summary>
    Open = 1,

    /// <summary>At most <see cref="CircuitBreakerOptions.HalfOpenAttempts"/> trial jobs run; their success closes the circuit, a failure re-opens it.</summary>
    HalfOpen = 2,
}

/// <summary>
/// When a circuit opens and how it recovers: <see cref="FailureThreshold"/> failures within <see cref="FailureWindow"/>
/// open it; after <see cref="ResetTimeout"/> it lets <see cref="HalfOpenAttempts"/> trials through.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.CircuitBreakerOptions")]
public sealed record CircuitBreakerOptions
{
    [Id(0)] public int FailureThreshold { get; init; } = 5;
    [Id(1)] public TimeSpan FailureWindow { get; init; } = TimeSpan.FromMinutes(1);
    [Id(2)] public TimeSpan ResetTimeout { get; init; } = TimeSpan.FromMinutes(1);
    [Id(3)] public int HalfOpenAttempts { get; init; } = 3;

    /// <summary>The problems with these options (empty when valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (FailureThreshold is < 1 or > 100_000)
        {
            yield return "failureThreshold must be 1..100000";
        }

        if (FailureWindow < TimeSpan.FromSeconds(1) || FailureWindow > TimeSpan.FromDays(1))
        {
            yield return "failureWindow must be 1 s..1 day";
        }

        if (ResetTimeout < TimeSpan.FromMilliseconds(100) || ResetTimeout > TimeSpan.FromDays(1))
        {
            yield return "resetTimeout must be 100 ms..1 day";
        }

        if (HalfOpenAttempts is < 1 or > 1000)
        {
            yield return "halfOpenAttempts must be 1..1000";
        }
    }
}

[GenerateSerializer, Immutable, Alias("zt.CircuitTransition")]
public sealed record CircuitTransition(
    [property: Id(0)] CircuitState From,
    [property: Id(1)] CircuitState To,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string Reason);

/// <summary>A circuit's state, counters and recent transitions.</summary>
[GenerateSerializer, Immutable, Alias("zt.CircuitSnapshot")]
public sealed record CircuitSnapshot
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public CircuitState State { get; init; }
    [Id(2)] public CircuitBreakerOptions Options { get; init; } = new();
    [Id(3)] public int FailuresInWindow { get; init; }
    [Id(4)] public DateTimeOffset? OpenedAt { get; init; }

    /// <summary>When an open circuit lets trials through.</summary>
    [Id(5)] public DateTimeOffset? RetryAt { get; init; }
    [Id(6)] public int HalfOpenSuccesses { get; init; }
    [Id(7)] public long Successes { get; init; }
    [Id(8)] public long Failures { get; init; }
    [Id(9)] public IReadOnlyList<CircuitTransition> Transitions { get; init; } = [];
}

/// <summary>Whether a call through a dependency's circuit may go ahead now.</summary>
[GenerateSerializer, Immutable, Alias("zt.CircuitPermit")]
public sealed record CircuitPermit(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] CircuitState State,
    [property: Id(2)] TimeSpan RetryAfter);

/// <summary>
/// One circuit, shared by the cluster (key: <c>worker:{name}</c> for a worker, <c>dependency:{name}</c> for a named
/// dependency). Its state is persisted, so an open circuit stays open across restarts and recovers on schedule.
/// </summary>
[Alias("zt.ICircuitBreakerGrain"), Orleans.CodeGeneration.Version(1)]
public interface ICircuitBreakerGrain : IGrainWithStringKey
{
    /// <summary>Sets the options; a worker's circuit also names the worker it gates.</summary>
    [Alias("Configure")]
    Task<CircuitSnapshot> Configure(CircuitBreakerOptions options, string? worker);

    /// <summary>Outcomes since the last report (replicas send one per batch of reports).</summary>
    [OneWay, Alias("Record")]
    Task Record(int successes, int failures);

    /// <summary>For dependency circuits: may one call go ahead? Half-open grants at most HalfOpenAttempts trials.</summary>
    [Alias("TryAcquire")]
    Task<CircuitPermit> TryAcquire();

    [AlwaysInterleave, Alias("Get")]
    Task<CircuitSnapshot> Get();

    /// <summary>Operator: close now and forget the failures.</summary>
    [Alias("Reset")]
    Task<CircuitSnapshot> Reset();

    /// <summary>Operator: open now (for ResetTimeout, then half-open as usual).</summary>
    [Alias("Trip")]
    Task<CircuitSnapshot> Trip();

    /// <summary>The circuit's clock (open → half-open when due).</summary>
    [Alias("Tick")]
    Task Tick();
}

/// <summary>A call through a dependency whose circuit is open: the job is deferred, not failed.</summary>
public sealed class CircuitOpenException : Exception
{
    public CircuitOpenException()
    {
    }

    public CircuitOpenException(string message)
        : base(message)
    {
    }

    public CircuitOpenException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public CircuitOpenException(string dependency, TimeSpan retryAfter)
        : base($"The circuit of '{dependency}' is open; retry after {retryAfter.TotalSeconds:0.#} s.")
    {
        Dependency = dependency;
        RetryAfter = retryAfter;
    }

    public string? Dependency { get; }

    public TimeSpan RetryAfter { get; }
}

public static class CircuitNames
{
    public static string Worker(string worker) => "worker:" + worker;

    public static string Dependency(string name) => "dependency:" + name;
}
