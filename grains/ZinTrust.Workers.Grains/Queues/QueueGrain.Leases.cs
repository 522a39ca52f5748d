using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The queue's leases beside the lease call itself: their deadlines (started when the holder learns of them, moved
/// by renewals), what a running attempt sends before its outcome (progress, log lines), and the traffic split that decides
/// which version's replicas take which waiting jobs.</summary>
internal sealed partial class QueueGrain
{
    /// <summary>A lease's deadline counts from when its holder learns of it (a lease whose write is still on its way does not
    /// expire, see <see cref="granting"/>): a write that waited out a store outage longer than the lease would otherwise hand
    /// over leases already expired, and the jobs would run twice at once. In memory only, as renewals are.</summary>
    private void StartLeaseClocks(string replicaId, List<LeasedJob> leased, DateTimeOffset granted)
    {
        var now = time.GetUtcNow();
        if (now - granted < policy.LeaseDuration / 10)
        {
            // The usual case: the write took a moment, the deadlines set at the grant are as good.
            return;
        }

        foreach (var lease in leased)
        {
            Renew(replicaId, lease.JobId, lease.LeaseToken, now);
        }

        ArmClock();
    }

    /// <summary>Moves a held lease's deadline one lease duration past <paramref name="now"/>; false when the lease is not held.
    /// Deadlines live in memory only: a reloaded queue grants every stored lease a fresh deadline anyway.</summary>
    private bool Renew(string replicaId, string jobId, long token, DateTimeOffset now)
    {
        var renewal = index.Get(jobId)?.Record is { } job
            ? JobTransitions.Apply(job, new JobCommand.Renew(replicaId, token, now + policy.LeaseDuration), now)
            : Transition.Refused(JobRefusal.StaleLease);
        if (renewal.Applied)
        {
            index.Put(renewal.Next!);
        }

        return renewal.Applied;
    }

    public Task<LeaseRenewal> RenewLeases(string replicaId, IReadOnlyList<JobLeaseRef> leases)
    {
        ArgumentNullException.ThrowIfNull(leases);
        ThrowIfPoisoned();
        var now = time.GetUtcNow();
        List<JobLeaseRef>? lost = null;
        foreach (var lease in leases)
        {
            if (!Renew(replicaId, lease.JobId, lease.LeaseToken, now))
            {
                (lost ??= []).Add(lease);
            }
        }

        ArmClock();
        return Task.FromResult(new LeaseRenewal(lost ?? [], policy.LeaseDuration));
    }

    public Task<bool> ReportProgress(JobLeaseRef lease, int progress)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return ApplyToRunning(lease.JobId, new JobCommand.Progress(null, lease.LeaseToken, progress));
    }

    public Task<bool> AppendLogs(JobLeaseRef lease, JobLogBatch logs)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(logs);
        return ApplyToRunning(lease.JobId, new JobCommand.Log(null, lease.LeaseToken, logs));
    }

    /// <summary>A command about a running attempt from its processor (fenced by its lease), written before it returns; false
    /// when the attempt no longer holds the lease.</summary>
    private async Task<bool> ApplyToRunning(string jobId, JobCommand command)
    {
        ThrowIfPoisoned();
        if (index.Get(jobId)?.Record is not { } job || Apply(job, command, time.GetUtcNow()) is null)
        {
            return false;
        }

        await writer.Commit();
        return true;
    }

    public Task SetSplit(TrafficSplit? next)
    {
        if (split != next)
        {
            split = next is { Percent: > 0 } ? next : null;
            WakeWaiters();   // each side may now have work it did not have
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The next waiting jobs in lease order for a replica running <paramref name="version"/>, counted as leasing until the caller
    /// ends it (<see cref="QueueIndex.EndLease"/>). Under a traffic split the canary's replicas take only jobs whose
    /// <see cref="JobKey.Bucket"/> falls in its share and every other replica only the rest. The walk goes as far as it must: a
    /// cap would starve one side behind a backlog of the other's jobs (a slow canary's pile up at the head of the order); its
    /// cost is the other side's jobs ahead, which only a lagging side has. With groups, the lanes take turns (<see cref="FairPick"/>).
    /// </summary>
    private List<JobEntry> Pick(int max, string? version)
    {
        Func<JobEntry, bool>? wanted = null;
        if (split is { } s)
        {
            bool canary = string.Equals(version, s.CanaryVersion, StringComparison.Ordinal);
            int share = (int)Math.Round(s.Percent * 100);
            wanted = entry => (entry.Key.Bucket < share) == canary;
        }

        if (index.HasGroups)
        {
            return FairPick(max, wanted ?? (static _ => true));
        }

        var picked = new List<JobEntry>(Math.Min(max, 64));
        foreach (var entry in index.List(JobState.Waiting))
        {
            if (picked.Count == max)
            {
                break;
            }

            if (wanted is null || wanted(entry))
            {
                picked.Add(entry);
                index.BeginLease(entry);
            }
        }

        return picked;
    }

    /// <summary>
    /// Round-robin between the queue's lanes (each group, and the jobs without one): one job from each lane in turn, so a
    /// group's backlog delays another group's jobs by one turn per lane rather than by the backlog. A group at its
    /// <see cref="JobOptions.GroupConcurrency"/> (its active and leasing jobs) sits the turn out; the lanes that gave jobs go to
    /// the back of the rotation for the next lease.
    /// </summary>
    private List<JobEntry> FairPick(int max, Func<JobEntry, bool> wanted)
    {
        Func<JobGroup, bool> open = policy.GroupConcurrency is { } limit
            ? lane => lane.Name is null || lane.Active + lane.Leasing < limit
            : static _ => true;
        var picked = new List<JobEntry>(Math.Min(max, 64));
        foreach (var entry in index.Rounds(open, wanted))
        {
            picked.Add(entry);
            index.BeginLease(entry);
            if (picked.Count == max)
            {
                break;
            }
        }

        index.Rotate(picked);
        return picked;
    }
}
