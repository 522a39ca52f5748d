using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The worker's queues: its job policy on each, and the partition count it declares for them.</summary>
internal sealed partial class WorkerGrain
{
    /// <summary>Refuses (<c>PARTITIONS_LOCKED</c>) before anything is recorded a partition count that differs from a consumed
    /// queue's while that queue holds work; the queue checks again when <see cref="SetPolicies"/> sets it.</summary>
    private Task EnsurePartitionsFit(WorkerDefinition definition) =>
        Task.WhenAll(definition.ConsumedQueues.Select(q => QueuePartitions.Of(GrainFactory).EnsureCanPartitionAsync(q.Name, definition.JobOptions.Partitions)));

    /// <summary>The worker's job policy on every queue it consumes (features.deadLetterQueue false: no dead letters kept). Each
    /// queue's partition 0 takes it and hands it to the queue's other partitions.</summary>
    private Task SetPolicies(WorkerDefinition definition)
    {
        var policy = definition.Feature(WorkerFeatures.DeadLetterQueue) ? definition.JobOptions : definition.JobOptions with { MaxDeadLetters = 0 };
        return Task.WhenAll(definition.ConsumedQueues.Select(q => Queue(q.Name).SetPolicy(policy)));
    }

    private IQueueGrain Queue(string name) => GrainFactory.GetGrain<IQueueGrain>(name);
}
