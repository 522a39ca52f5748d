namespace ZinTrust.Workers.Abstractions;

[GenerateSerializer, Alias("zt.WorkerStatus")]
public enum WorkerStatus
{
    Stopped = 0,
    Starting = 1,
    Running = 2,
    Draining = 3,
    Failed = 4,
}
