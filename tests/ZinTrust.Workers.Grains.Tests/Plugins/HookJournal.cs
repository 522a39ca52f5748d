using System.Collections.Concurrent;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>One call into a plugin (or, as plugin "processor", a run of the journaled processor).</summary>
public sealed record HookCall(string Plugin, string Hook, string Subject, string? Silo, object? Context);

/// <summary>Every recorded hook call of a test cluster, in the order they happened.</summary>
public sealed class HookJournal
{
    private readonly ConcurrentQueue<HookCall> calls = new();

    public void Add(string plugin, string hook, string subject, string? silo, object? context = null) =>
        calls.Enqueue(new HookCall(plugin, hook, subject, silo, context));

    /// <summary>Calls about a job id or a worker name, optionally only those of some plugins, as "plugin:hook".</summary>
    public IReadOnlyList<HookCall> About(string subject, params string[] plugins) =>
        [.. calls.Where(c => c.Subject == subject && (plugins.Length == 0 || plugins.Contains(c.Plugin)))];

    public IReadOnlyList<string> Trace(string subject, params string[] plugins) =>
        [.. About(subject, plugins).Select(c => $"{c.Plugin}:{c.Hook}")];
}
