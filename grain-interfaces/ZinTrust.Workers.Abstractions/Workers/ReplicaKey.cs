using System.Diagnostics.CodeAnalysis;

namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// A replica's identity: its worker, its replica set and its index in the set. The stable set's replicas are
/// <c>{worker}/{n}</c> (the key they always had); another set's (a canary's) are <c>{worker}@{set}/{n}</c>. Worker and set
/// names never contain <c>@</c> or <c>/</c>, so the key parses back without ambiguity.
/// </summary>
public readonly record struct ReplicaKey(string Worker, int Index, string? Set = null)
{
    /// <summary>The set of the worker's canary replicas.</summary>
    public const string CanarySet = "canary";

    public override string ToString() => Set is null ? $"{Worker}/{Index}" : $"{Worker}@{Set}/{Index}";

    public static ReplicaKey Parse(string key) =>
        TryParse(key, out var parsed) ? parsed : throw new FormatException($"'{key}' is not a replica key ({{worker}}/{{n}} or {{worker}}@{{set}}/{{n}}).");

    public static bool TryParse([NotNullWhen(true)] string? key, out ReplicaKey parsed)
    {
        parsed = default;
        int slash = key?.LastIndexOf('/') ?? -1;
        if (key is null || slash <= 0 || !int.TryParse(key.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
        {
            return false;
        }

        var owner = key.AsSpan(0, slash);
        int at = owner.IndexOf('@');
        parsed = at < 0
            ? new ReplicaKey(owner.ToString(), index)
            : at == 0 || at == owner.Length - 1 ? default : new ReplicaKey(owner[..at].ToString(), index, owner[(at + 1)..].ToString());
        return parsed.Worker is not null;
    }
}
