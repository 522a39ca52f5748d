namespace ZinTrust.Workers.Grains;

/// <summary>
/// The audit log's writing side: the REST API, the control-plane grains (worker lifecycle, canary and failover decisions) and
/// the compliance actions append what they did here. An append is durable when it returns; the log is append-only and
/// hash-chained, and nothing deletes or edits records except retention by policy.
/// </summary>
public interface IAuditLog
{
    /// <summary>Appends one record. Never throws for a full or unreachable log: a failed append is logged and counted, and the
    /// action it describes goes on (callers must not fail an operation because its audit record could not be written).</summary>
    ValueTask AppendAsync(AuditEntry entry, CancellationToken cancellationToken);
}

/// <summary>What one audit record says: who (<see cref="Actor"/>, <see cref="Role"/>), did what (<see cref="Action"/>) to
/// what (<see cref="Target"/>), with which <see cref="Outcome"/>, when, from where and under which correlation id. Never personal
/// data, payloads, keys or secrets: <see cref="Details"/> holds identifiers and counts only.</summary>
public sealed record AuditEntry
{
    /// <summary>The API key's name, or <c>system</c> for the cluster's own decisions (a canary rollback, a failover).</summary>
    public required string Actor { get; init; }

    /// <summary>The key's role (<c>viewer</c>, <c>operator</c>, <c>admin</c>); null for the system or an unauthenticated caller.</summary>
    public string? Role { get; init; }

    /// <summary>A stable dotted name made like the API's (the route's literal segments and a verb): <c>workers.start</c>,
    /// <c>workers.canary.rollback</c>, <c>compliance.subjects.erase</c>, <c>http.unmatched</c>...</summary>
    public required string Action { get; init; }

    /// <summary>What it acted on: a worker, queue, job or route; null when nothing in particular.</summary>
    public string? Target { get; init; }

    /// <summary><c>success</c>, <c>denied</c> (401/403) or <c>failed</c>.</summary>
    public required string Outcome { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The caller's address (REST); null for the system.</summary>
    public string? ClientAddress { get; init; }

    /// <summary>The request's correlation (trace) id, when there is one.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Identifiers and counts that say more (an HTTP status, a version, how many jobs were erased).</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }
}

/// <summary>Well-known outcomes of <see cref="AuditEntry.Outcome"/>.</summary>
public static class AuditOutcomes
{
    public const string Success = "success";
    public const string Denied = "denied";
    public const string Failed = "failed";
}
