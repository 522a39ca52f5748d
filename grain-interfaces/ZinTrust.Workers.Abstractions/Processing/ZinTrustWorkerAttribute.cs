namespace ZinTrust.Workers.Abstractions;

/// <summary>The autoStart of a discovered worker: unset follows WORKER_AUTO_START.</summary>
public enum AutoStartSetting
{
    Unset = 0,
    True = 1,
    False = 2,
}

/// <summary>
/// Declares a worker on its processor class, for discovery from the application's assemblies
/// (<c>AddWorkersFromAssembly</c>). The processor is registered under the worker's name; the definition is
/// used when persistence holds no auto-start candidates (the seed's file-backed fallback).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ZinTrustWorkerAttribute(string name, string queueName) : Attribute
{
    public string Name { get; } = name;

    public string QueueName { get; } = queueName;

    public string Version { get; set; } = "1.0.0";

    /// <summary>0 = WORKER_CONCURRENCY.</summary>
    public int Concurrency { get; set; }

    public AutoStartSetting AutoStart { get; set; }

    public bool ActiveStatus { get; set; } = true;

    public int Replicas { get; set; } = 1;

    public WorkerDefinition ToDefinition(int defaultConcurrency) => new()
    {
        Name = Name,
        QueueName = QueueName,
        Version = Version,
        Concurrency = Concurrency > 0 ? Concurrency : defaultConcurrency,
        Processor = Name,
        AutoStart = AutoStart switch
        {
            AutoStartSetting.True => true,
            AutoStartSetting.False => false,
            _ => null,
        },
        ActiveStatus = ActiveStatus,
        Replicas = Replicas,
    };
}
