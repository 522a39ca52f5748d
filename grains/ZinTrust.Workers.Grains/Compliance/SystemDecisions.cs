namespace ZinTrust.Workers.Grains;

/// <summary>
/// Audit entries for the cluster's own decisions (actor <c>system</c>): a canary promoted or rolled back on its own, a failover,
/// a circuit that opened, a restart on critical health. Operators' calls are recorded by the REST API instead, so a grain records
/// only what no caller asked for. Actions reuse the API's names where an operator could do the same thing.
/// </summary>
internal static class SystemDecisions
{
    public const string Actor = "system";

    /// <summary>
    /// Sends the record without holding the deciding grain's turn: the decision is made and stored already, and the audit log's
    /// writer may be on a silo that just died (a failover is exactly when), where an awaited append would stall the grain for
    /// the append's whole timeout. The append never throws; one that fails is logged and counted by <see cref="IAuditLog"/>.
    /// </summary>
    public static void Record(IAuditLog audit, AuditEntry entry) => audit.AppendAsync(entry, CancellationToken.None).AsTask().Ignore();

    public static AuditEntry Entry(string action, string target, DateTimeOffset at, string reason, string outcome = AuditOutcomes.Success) => new()
    {
        Actor = Actor,
        Action = action,
        Target = target,
        Outcome = outcome,
        At = at,
        Details = new Dictionary<string, string>(StringComparer.Ordinal) { ["reason"] = reason },
    };
}
