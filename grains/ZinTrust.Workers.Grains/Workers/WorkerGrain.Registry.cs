using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The worker's entry in the registry (what listings and auto-start read without activating every worker).</summary>
internal sealed partial class WorkerGrain
{
    private Task Index()
    {
        var d = S.Definition!;
        return Registry().Upsert(new WorkerIndexEntry
        {
            Name = Name,
            QueueName = d.QueueName,
            Queues = d.Queues?.Select(q => q.Name).ToArray(),
            Version = d.Version,
            Status = S.Status,
            ActiveStatus = d.ActiveStatus,
            Concurrency = d.Concurrency,
            AutoStart = d.AutoStart,
            UpdatedAt = S.UpdatedAt,
            PersistenceDriver = d.PersistenceDriver,
            Region = d.Region,
            ResourceMonitoring = ResourceMonitorPolicy.Requests(d),
            Failure = S.Failure,
        });
    }
}
