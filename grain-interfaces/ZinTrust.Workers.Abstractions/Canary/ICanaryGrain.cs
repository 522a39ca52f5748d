using Orleans.Concurrency;

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// A worker's canary deployment (key: the worker's name). Its state is persisted and a durable reminder drives it (a timer
/// for steps shorter than a minute), so it survives the loss of its silo and a restart of the whole cluster, resuming at its step.
/// </summary>
[Alias("zt.ICanaryGrain"), Orleans.CodeGeneration.Version(1)]
public interface ICanaryGrain : IGrainWithStringKey
{
    /// <summary>Starts a canary of a registered version. CANARY_ACTIVE when one runs; VERSION_NOT_FOUND; INVALID_CANARY.</summary>
    [Alias("Start")]
    Task<CanaryStatus> Start(CanaryRequest request, string? by);

    [Alias("Pause")]
    Task<CanaryStatus> Pause(string? by);

    [Alias("Resume")]
    Task<CanaryStatus> Resume(string? by);

    /// <summary>Ends the canary: all traffic back to the stable version, the canary's replicas drained and stopped.</summary>
    [Alias("Rollback")]
    Task<CanaryStatus> Rollback(string? by);

    /// <summary>Promotes the canary now: the stable replicas roll to its version, then its own replicas stop.</summary>
    [Alias("Complete")]
    Task<CanaryStatus> Complete(string? by);

    /// <summary>The canary's status (the last one, once it ended); null when the worker never had one.</summary>
    [AlwaysInterleave, Alias("GetStatus")]
    Task<CanaryStatus?> GetStatus();

    /// <summary>Compares the versions and takes the step that is due (the timer and the reminder call it; idempotent).</summary>
    [Alias("Evaluate")]
    Task<CanaryStatus?> Evaluate();
}
