using System.Globalization;
using System.Text.Json;

namespace ZinTrust.Workers.Testing;

/// <summary>
/// What a fault scenario did to the jobs, from the processor's own record of every execution (start and end, with the lease
/// token it ran under) and the jobs' final records:
/// <list type="bullet">
/// <item><b>lost</b>: acknowledged, but no final record, or not settled; a job acknowledged within <see cref="StoreWindow"/> before a
/// fault of the store is counted apart (lost in the window), since Redis may not have written it;</item>
/// <item><b>duplicated without fault</b>: a job ran again although its previous execution was not in flight at any fault;</item>
/// <item><b>double terminal</b>: a job ran under a lease newer than the one its terminal state was written under;</item>
/// <item><b>stale commit</b>: a completed job's result came from an execution whose lease token is not the job's final one;</item>
/// <item><b>token reuse</b>: two executions of a job under one token, or tokens that did not grow with each execution.</item>
/// </list>
/// An execution is in flight at a fault when it started before the fault (on the faulty silo, or anywhere for a fault of the
/// store) and had not ended more than <see cref="ReportWindow"/> before it (its report may not have been applied yet), or
/// <see cref="StoreWindow"/> for a fault of the store (what it had written may be gone).
/// </summary>
public sealed record FaultLedger(
    string Scenario,
    int Acknowledged,
    int Completed,
    int DeadLettered,
    int Lost,
    int LostInWindow,
    int Executions,
    int ReRuns,
    int InFlightAtFaults,
    int RunningAtFaults,
    int DuplicatedWithoutFault,
    int DoubleTerminal,
    int StaleCommits,
    int TokenReuse,
    int Faults)
{
    /// <summary>Up to ten re-runs counted as duplicated without fault, each with its executions and the faults near it (to diagnose).</summary>
    public IReadOnlyList<string> Unexplained { get; init; } = [];

    public static readonly TimeSpan ReportWindow = TimeSpan.FromSeconds(2);

    /// <summary>
    /// What a fault of Redis may take back: with AOF fsync every second Redis answers after writing to its file, but while an
    /// fsync is slow it postpones that write by up to 2 s; a host crash also loses what the OS had not flushed. The scenarios
    /// copy its files at most about a second before they restore them. So 5 s.
    /// </summary>
    public static readonly TimeSpan StoreWindow = TimeSpan.FromSeconds(5);

    /// <summary>A kill, stop or crash of the silo serving HTTP on <paramref name="Silo"/> (null: the job store, felt by all).</summary>
    public sealed record Fault(int? Silo, long AtMs, string Kind);

    /// <summary>One line of the ledger processor: <paramref name="What"/> is start or done; <paramref name="Silo"/> its HTTP port.</summary>
    public sealed record Execution(string What, string JobId, long Token, int Attempt, int Silo, long AtMs);

    public static FaultLedger Build(
        string scenario,
        IReadOnlyDictionary<string, long> acknowledged,
        IReadOnlyDictionary<string, JsonElement> jobs,
        IReadOnlyList<Execution> executions,
        IReadOnlyList<Fault> faults)
    {
        var starts = executions.Where(e => e.What == "start").GroupBy(e => e.JobId).ToDictionary(g => g.Key, g => g.OrderBy(e => e.AtMs).ThenBy(e => e.Token).ToList());
        var ends = executions.Where(e => e.What == "done").ToDictionary(e => (e.JobId, e.Token), e => e.AtMs);
        int lost = 0, lostInWindow = 0, completed = 0, dead = 0, reRuns = 0, withoutFault = 0, doubleTerminal = 0, stale = 0, reuse = 0;
        var unexplained = new List<string>();
        var inFlight = new HashSet<(string, long)>();
        var running = new HashSet<(string, long)>();
        foreach (var id in acknowledged.Keys)
        {
            var runs = starts.GetValueOrDefault(id) ?? [];
            foreach (var run in runs.Where(r => InFlightAtAFault(r, ends, faults) is not null))
            {
                inFlight.Add((run.JobId, run.Token));
                long? end = ends.TryGetValue((run.JobId, run.Token), out var e) ? e : null;
                if (faults.Any(f => (f.Silo is null || f.Silo == run.Silo) && f.AtMs >= run.AtMs && (end is null || end > f.AtMs)))
                {
                    running.Add((run.JobId, run.Token));
                }
            }

            if (!jobs.TryGetValue(id, out var job) || job.GetProperty("state").GetString() is not ("completed" or "failed"))
            {
                if (InStoreWindow(acknowledged[id], faults))
                {
                    lostInWindow++;
                }
                else
                {
                    lost++;
                }

                continue;
            }

            long finalToken = job.GetProperty("leaseToken").GetInt64();
            if (job.GetProperty("state").GetString() == "completed")
            {
                completed++;
                if (job.GetProperty("result") is { ValueKind: JsonValueKind.Object } result && result.GetProperty("token").GetInt64() != finalToken)
                {
                    stale++;
                }
            }
            else
            {
                dead++;
            }

            doubleTerminal += runs.Any(r => r.Token > finalToken) ? 1 : 0;
            reuse += runs.Select(r => r.Token).Distinct().Count() != runs.Count || !runs.Select(r => r.Token).SequenceEqual(runs.Select(r => r.Token).Order()) ? 1 : 0;
            for (int i = 1; i < runs.Count; i++)
            {
                reRuns++;
                var previous = runs[i - 1];
                if (InFlightAtAFault(previous, ends, faults) is not { } fault || fault.AtMs > runs[i].AtMs)
                {
                    withoutFault++;
                    if (unexplained.Count < 10)
                    {
                        var near = faults.Where(f => f.AtMs >= previous.AtMs - 30_000 && f.AtMs <= runs[i].AtMs + 5_000).Select(f => $"{f.Kind}@{f.Silo?.ToString(CultureInfo.InvariantCulture) ?? "*"}:{f.AtMs}");
                        var described = runs.Select(r => FormattableString.Invariant($"start {r.AtMs} on {r.Silo} token {r.Token} done {(ends.TryGetValue((r.JobId, r.Token), out var d) ? d : -1)}"));
                        unexplained.Add($"job {id}: {string.Join(", ", described)} | faults {string.Join(", ", near)}");
                    }
                }
            }
        }

        return new FaultLedger(
            scenario, acknowledged.Count, completed, dead, lost, lostInWindow, executions.Count(e => e.What == "start"), reRuns, inFlight.Count, running.Count,
            withoutFault, doubleTerminal, stale, reuse, faults.Count) { Unexplained = unexplained };
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"ledger [{Scenario}]: acknowledged={Acknowledged} completed={Completed} dead-lettered={DeadLettered} lost={Lost} lost-in-loss-window={LostInWindow} " +
        $"executions={Executions} re-runs={ReRuns} running-at-faults={RunningAtFaults} in-flight-at-faults={InFlightAtFaults} (running, or ended within {ReportWindow.TotalSeconds:0} s; {StoreWindow.TotalSeconds:0} s of a store fault) " +
        $"faults={Faults} | duplicated-without-fault={DuplicatedWithoutFault} " +
        $"double-terminal={DoubleTerminal} stale-commit={StaleCommits} token-reuse={TokenReuse}");

    /// <summary>Whether an acknowledgement at <paramref name="atMs"/> came within <see cref="StoreWindow"/> before a fault of the store.</summary>
    public static bool InStoreWindow(long atMs, IReadOnlyList<Fault> faults) =>
        faults.Any(f => f.Silo is null && atMs <= f.AtMs && atMs >= f.AtMs - (long)StoreWindow.TotalMilliseconds);

    /// <summary>The first fault that found <paramref name="run"/> in flight, or null.</summary>
    private static Fault? InFlightAtAFault(Execution run, Dictionary<(string, long), long> ends, IReadOnlyList<Fault> faults)
    {
        long? end = ends.TryGetValue((run.JobId, run.Token), out var e) ? e : null;
        return faults
            .Where(f => (f.Silo is null || f.Silo == run.Silo) && f.AtMs >= run.AtMs
                && (end is null || end >= f.AtMs - (long)(f.Silo is null ? StoreWindow : ReportWindow).TotalMilliseconds))
            .OrderBy(f => f.AtMs)
            .FirstOrDefault();
    }
}
