using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The state behind the <c>memory</c> persistence driver: a process-wide dictionary. Unlike Orleans' memory
/// storage (which keeps state in grains that die with their silo) it is shared by every silo of the process
/// that is handed the same instance, so worker definitions survive a silo kill in in-process clusters.
/// </summary>
public sealed class InProcessStateStore
{
    internal ConcurrentDictionary<string, (object State, string ETag)> Entries { get; } = new(StringComparer.Ordinal);
}

/// <summary>Grain storage over <see cref="InProcessStateStore"/>, with ETag checks like a real provider.</summary>
internal sealed class InProcessGrainStorage(InProcessStateStore store, DeepCopier copier) : IGrainStorage
{
    private long etags;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (store.Entries.TryGetValue(Key(stateName, grainId), out var entry))
        {
            grainState.State = copier.Copy((T)entry.State);
            grainState.ETag = entry.ETag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = Key(stateName, grainId);
        var etag = NextETag();
        lock (store.Entries)
        {
            CheckETag(key, grainState.ETag);
            store.Entries[key] = (copier.Copy(grainState.State)!, etag);
        }

        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = Key(stateName, grainId);
        lock (store.Entries)
        {
            CheckETag(key, grainState.ETag);
            store.Entries.TryRemove(key, out _);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
        return Task.CompletedTask;
    }

    private void CheckETag(string key, string? expected)
    {
        var stored = store.Entries.TryGetValue(key, out var entry) ? entry.ETag : null;
        if (!string.Equals(stored, expected, StringComparison.Ordinal))
        {
            throw new InconsistentStateException($"ETag mismatch for '{key}'.", stored ?? "none", expected ?? "none");
        }
    }

    private string NextETag() => $"{Environment.ProcessId}-{Interlocked.Increment(ref etags)}-{Guid.NewGuid():N}";

    private static string Key(string stateName, GrainId grainId) => $"{stateName}/{grainId}";
}
