using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// A replica's identity: its worker, its replica set, the region it is placed in and its index in the set. The stable set's
/// replicas are <c>{worker}/{n}</c> (the key they always had); another set's (a canary's) are <c>{worker}@{set}/{n}</c>; a
/// replica pinned to a region carries <c>~{region}</c> before the index (<c>{worker}~eu-west/{n}</c>,
/// <c>{worker}@canary~eu-west/{n}</c>), so a move between regions is a new set of grains placed there. Worker, set and
/// region names never contain <c>@</c>, <c>~</c> or <c>/</c>, so the key parses back without ambiguity.
/// </summary>
public readonly record struct ReplicaKey(string Worker, int Index, string? Set = null, string? Region = null)
{
    /// <summary>The set of the worker's canary replicas.</summary>
    public const string CanarySet = "canary";

    public override string ToString() => string.Concat(
        Worker,
        Set is null ? "" : "@" + Set,
        Region is null ? "" : "~" + Region,
        "/",
        Index.ToString(CultureInfo.InvariantCulture));

    public static ReplicaKey Parse(string key) =>
        TryParse(key, out var parsed) ? parsed : throw new FormatException($"'{key}' is not a replica key ({{worker}}[@{{set}}][~{{region}}]/{{n}}).");

    public static bool TryParse([NotNullWhen(true)] string? key, out ReplicaKey parsed)
    {
        parsed = default;
        int slash = key?.LastIndexOf('/') ?? -1;
        if (key is null || slash <= 0 || !int.TryParse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            return false;
        }

        var owner = key.AsSpan(0, slash);
        string? region = null;
        int tilde = owner.IndexOf('~');
        if (tilde >= 0)
        {
            if (tilde == 0 || tilde == owner.Length - 1)
            {
                return false;
            }

            region = owner[(tilde + 1)..].ToString();
            owner = owner[..tilde];
        }

        int at = owner.IndexOf('@');
        if (at == 0 || at == owner.Length - 1)
        {
            return false;
        }

        parsed = at < 0
            ? new ReplicaKey(owner.ToString(), index, null, region)
            : new ReplicaKey(owner[..at].ToString(), index, owner[(at + 1)..].ToString(), region);
        return true;
    }
}
