namespace ZinTrust.Workers.Abstractions;

/// <summary>One version of a worker's definition: recorded on create and whenever an update changes the version.</summary>
[GenerateSerializer, Immutable, Alias("zt.WorkerVersionRecord")]
public sealed record WorkerVersionRecord
{
    [Id(0)] public required string Version { get; init; }
    [Id(1)] public required WorkerDefinition Definition { get; init; }
    [Id(2)] public DateTimeOffset RecordedAt { get; init; }

    /// <summary>created | updated.</summary>
    [Id(3)] public string Reason { get; init; } = "updated";
}
