using Orleans.Concurrency;

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// Told by a queue when a watched job settles (completed, dead-lettered or cancelled; see
/// <see cref="JobStateMachine.IsSettled"/>). Registered per job with <see cref="IQueueGrain.WatchJob"/>.
/// </summary>
/// <remarks>
/// Delivery is best-effort: the call is one-way, is sent only after the settled record is durable, and is lost
/// when the observer's client is gone or the queue's activation fails its write. Watchers therefore re-read
/// the job now and then (<see cref="IQueueGrain.WatchJob"/> answers with the current record).
/// </remarks>
[Alias("zt.IJobCompletionObserver"), Orleans.CodeGeneration.Version(1)]
public interface IJobCompletionObserver : IGrainObserver
{
    [OneWay, Alias("JobSettled")]
    Task JobSettled(JobRecord job);
}
