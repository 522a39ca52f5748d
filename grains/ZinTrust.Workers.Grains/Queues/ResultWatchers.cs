using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Clients awaiting a job's result: an observer per job with an expiry. Empty unless some client awaits a job, so the cost
/// without watchers is one count check per settled record. A settled job's observers are taken when its record is staged and
/// told after the write succeeds (<see cref="QueueWriter"/>), so they never see a state that is not durable. Registrations
/// expire (clients re-register while they wait), so a client that dies leaks nothing for long. Not thread-safe.
/// </summary>
internal sealed class ResultWatchers
{
    private readonly Dictionary<string, Dictionary<IJobCompletionObserver, DateTimeOffset>> watches = new(StringComparer.Ordinal);

    /// <summary>Registrations (observer and job pairs).</summary>
    public int Count { get; private set; }

    public bool IsEmpty => watches.Count == 0;

    public void Add(string jobId, IJobCompletionObserver observer, DateTimeOffset expiry)
    {
        if (!watches.TryGetValue(jobId, out var observers))
        {
            watches[jobId] = observers = [];
        }

        int before = observers.Count;
        observers[observer] = expiry;
        Count += observers.Count - before;
    }

    public void Remove(string jobId, IJobCompletionObserver observer)
    {
        if (watches.TryGetValue(jobId, out var observers) && observers.Remove(observer))
        {
            Count--;
            if (observers.Count == 0)
            {
                watches.Remove(jobId);
            }
        }
    }

    /// <summary>Takes the observers of a job that just settled (null when nobody watches it).</summary>
    public IJobCompletionObserver[]? Take(string jobId)
    {
        if (watches.Count == 0 || !watches.Remove(jobId, out var observers))
        {
            return null;
        }

        Count -= observers.Count;
        return [.. observers.Keys];
    }

    public void Expire(DateTimeOffset now)
    {
        // Removing while enumerating is safe for Dictionary (it does not invalidate the enumerator).
        foreach (var (jobId, observers) in watches)
        {
            foreach (var (observer, expiry) in observers)
            {
                if (expiry <= now)
                {
                    observers.Remove(observer);
                    Count--;
                }
            }

            if (observers.Count == 0)
            {
                watches.Remove(jobId);
            }
        }
    }
}
