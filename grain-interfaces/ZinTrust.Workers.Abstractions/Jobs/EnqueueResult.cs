namespace ZinTrust.Workers.Abstractions;

/// <summary>The acknowledgement of an enqueue: the job is in the store when this is returned.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Created">False when an idempotency key matched an existing job.</param>
/// <param name="State">The job's state at acknowledgement.</param>
[GenerateSerializer, Immutable, Alias("zt.EnqueueResult")]
public sealed record EnqueueResult([property: Id(0)] string JobId, [property: Id(1)] bool Created, [property: Id(2)] JobState State);
