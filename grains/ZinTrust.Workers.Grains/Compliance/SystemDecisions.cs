namespace ZinTrust.Workers.Grains;

/// <summary>
/// Audit entries for the cluster's own decisions (actor <c>system</c>): a canary promoted or rolled back on its own, a failover,
/// a circuit that opened, a restart on critical health. Operators' calls are recorded by the REST API instead, so a grain records
/// only what no caller asked for. Actions reuse the API's names where an operator could do the same thing.
/// </summary>
internal static class SystemDecisions
{
    public const string Actor = "system";

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
