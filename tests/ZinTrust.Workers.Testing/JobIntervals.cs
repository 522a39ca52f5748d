using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Testing;

/// <summary>Concurrency as the queue saw it, from its own clock: the started and finished times of jobs' latest attempts.</summary>
public static class JobIntervals
{
    /// <summary>The most jobs whose [started, finished) intervals overlap; a finish and a start at the same moment do not.</summary>
    public static int MostAtOnce(IEnumerable<JobRecord> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var edges = jobs.SelectMany(j => new[] { (At: j.StartedAt!.Value, Delta: 1), (At: j.FinishedAt!.Value, Delta: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Delta);
        int now = 0, most = 0;
        foreach (var (_, delta) in edges)
        {
            now += delta;
            most = Math.Max(most, now);
        }

        return most;
    }
}
