namespace ZinTrust.Workers.Abstractions;

[GenerateSerializer, Alias("zt.ReplicaState")]
public enum ReplicaState
{
    Stopped = 0,
    Running = 1,
    Draining = 2,
    Failed = 3,
}
