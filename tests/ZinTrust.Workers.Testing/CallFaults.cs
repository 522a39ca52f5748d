using System.Collections.Concurrent;

namespace ZinTrust.Workers.Testing;

/// <summary>
/// Grain calls to refuse, by interface method name (consulted by an incoming call filter on every silo): a partition or an
/// overloaded silo that drops one kind of message, such as lease renewals.
/// </summary>
public sealed class CallFaults
{
    private readonly ConcurrentDictionary<string, int> dropped = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> dropping = new(StringComparer.Ordinal);

    /// <summary>Refuses every call to <paramref name="method"/> until <see cref="Restore"/>.</summary>
    public void Drop(string method) => dropping[method] = true;

    public void Restore(string method) => dropping.TryRemove(method, out _);

    /// <summary>Calls refused so far.</summary>
    public int Dropped(string method) => dropped.GetValueOrDefault(method);

    /// <summary>Throws for a call that is being dropped.</summary>
    public void Check(string? method)
    {
        if (method is not null && dropping.ContainsKey(method))
        {
            dropped.AddOrUpdate(method, 1, static (_, n) => n + 1);
            throw new TimeoutException($"{method} dropped (test fault).");
        }
    }
}
