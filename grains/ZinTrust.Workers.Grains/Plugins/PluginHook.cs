namespace ZinTrust.Workers.Grains;

/// <summary>The hooks of <see cref="Abstractions.IWorkerPlugin"/>, named after its methods (<c>On{Hook}Async</c>).</summary>
public enum PluginHook
{
    JobStart = 0,
    JobComplete = 1,
    JobFailed = 2,
    WorkerStart = 3,
    WorkerStop = 4,
    HealthCheck = 5,
    Scale = 6,
    Failover = 7,
    CanaryStep = 8,
    CanaryRollback = 9,
    CanaryComplete = 10,
    Alert = 11,
}
