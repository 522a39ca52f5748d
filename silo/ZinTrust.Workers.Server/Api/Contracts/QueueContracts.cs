namespace ZinTrust.Workers.Server;

/// <summary>An action's answer: done, and what happened, for people.</summary>
public sealed record MessageResponse(bool Ok, string Message);

public sealed record QueueListResponse(bool Ok, IReadOnlyList<QueueStatsResponse> Queues);

/// <summary>A page of a queue's jobs in one state (dead letters: <c>failed</c>).</summary>
public sealed record JobPageResponse(string Queue, string State, int Offset, int Limit, IReadOnlyList<JobResponse> Jobs);

public sealed record PruneResponse(bool Ok, int Pruned, int OlderThanHours, bool DeadLetters);

public sealed record QueuePrunedResponse(string Queue, int Pruned);

public sealed record PruneAllResponse(bool Ok, int Pruned, int OlderThanHours, bool DeadLetters, IReadOnlyList<QueuePrunedResponse> Queues);

public sealed record RetriedResponse(bool Ok, int Retried);

public sealed record DeletedResponse(bool Ok, int Deleted);
