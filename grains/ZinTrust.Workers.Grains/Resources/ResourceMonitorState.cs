namespace ZinTrust.Workers.Grains;

/// <summary>The persisted part of the resource monitor: the operator's switch (snapshots stay in memory).</summary>
[GenerateSerializer, Alias("zt.ResourceMonitorState")]
public sealed class ResourceMonitorState
{
    /// <summary>An operator stopped monitoring; default false, so monitoring is on unless stopped.</summary>
    [Id(0)] public bool StoppedByOperator { get; set; }

    /// <summary>When an operator last started or stopped it.</summary>
    [Id(1)] public DateTimeOffset? ChangedAt { get; set; }
}
