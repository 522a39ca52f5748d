using System.Collections.Concurrent;

namespace ZinTrust.Workers.Testing;

/// <summary>Counts grain calls by method name (fed by an incoming call filter on every silo).</summary>
public sealed class CallCounter
{
    private readonly ConcurrentDictionary<string, int> counts = new(StringComparer.Ordinal);

    public void Add(string? method)
    {
        if (method is not null)
        {
            counts.AddOrUpdate(method, 1, static (_, n) => n + 1);
        }
    }

    public int this[string method] => counts.GetValueOrDefault(method);
}
