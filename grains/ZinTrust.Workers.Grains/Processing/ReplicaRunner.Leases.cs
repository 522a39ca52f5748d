using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The replica's held leases: each renewed a third of the way through what the queue granted, all in one call.</summary>
internal sealed partial class ReplicaRunner
{
    /// <summary>Stops renewing one lease (the job may have been leased to us again meanwhile under a new token: that one stays).</summary>
    private void Forget(string jobId, long leaseToken) => held.TryRemove(new JobLeaseRef(jobId, leaseToken), out _);

    /// <summary>
    /// Renews a lease a third of the way through what the queue granted, timed from when the call that granted it was sent
    /// (this replica's clock only: the queue's deadline is on another clock, and its policy may have changed since).
    /// </summary>
    private void Hold(JobLeaseRef lease, IQueueGrain queue, long sentAt, TimeSpan granted)
    {
        var renewAt = sentAt + ToTimestamp(granted / 3);
        held[lease] = new HeldLease(renewAt, granted, queue);

        // Wake the renew loop if it waits for something later, or is working out what to wait for (it may have missed this one).
        long next = Volatile.Read(ref nextRenewal);
        if (next == long.MinValue || renewAt < next)
        {
            renewSignal.Set();
        }
    }

    private long ToTimestamp(TimeSpan span) => (long)(span.TotalSeconds * clock.TimestampFrequency);

    private async Task RenewLoopAsync()
    {
        var token = shutdown.Token;
        while (!token.IsCancellationRequested)
        {
            Volatile.Write(ref nextRenewal, long.MinValue);
            long due = long.MaxValue;
            foreach (var lease in held.Values)
            {
                due = Math.Min(due, lease.RenewAt);
            }

            Volatile.Write(ref nextRenewal, due);
            long now = clock.GetTimestamp();
            if (due > now)
            {
                // A new lease that must be renewed sooner sets the signal.
                var wait = due == long.MaxValue ? Timeout.InfiniteTimeSpan : clock.GetElapsedTime(now, due);
                await renewSignal.WaitAsync(wait, clock, token).ConfigureAwait(false);
                continue;
            }

            await RenewAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Renews every lease held (one call per queue), then schedules each from what its queue granted.</summary>
    private async Task RenewAsync()
    {
        if (queues.Length == 1)
        {
            await RenewAsync(queues[0].Grain, held.Keys.ToArray()).ConfigureAwait(false);
            return;
        }

        foreach (var group in held.ToArray().GroupBy(h => h.Value.Queue, h => h.Key))
        {
            await RenewAsync(group.Key, group.ToArray()).ConfigureAwait(false);
        }
    }

    private async Task RenewAsync(IQueueGrain queue, JobLeaseRef[] leases)
    {
        long sent = clock.GetTimestamp();
        LeaseRenewal renewal;
        try
        {
            renewal = await queue.RenewLeases(replicaId, leases).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogRenewFailed(logger, replicaId, ex);

            // Try again soon, well within the shortest lease held.
            var shortest = held.Values.Where(h => h.Queue == queue).Select(h => h.Granted).DefaultIfEmpty(TimeSpan.FromSeconds(3)).Min();
            var retryAt = clock.GetTimestamp() + ToTimestamp(TimeSpan.FromTicks(Math.Min(shortest.Ticks / 6, TimeSpan.TicksPerSecond)));
            foreach (var lease in leases)
            {
                if (held.TryGetValue(lease, out var h))
                {
                    held.TryUpdate(lease, h with { RenewAt = Math.Max(h.RenewAt, retryAt) }, h);
                }
            }

            return;
        }

        var lost = renewal.Lost.ToHashSet();
        foreach (var lease in leases)
        {
            if (lost.Contains(lease))
            {
                held.TryRemove(lease, out _);
                if (running.TryGetValue(lease, out var run) && run.Cancel(JobCancellationReason.LeaseLost))
                {
                    LogLeaseLost(logger, replicaId, lease.JobId);
                }
            }
            else if (held.TryGetValue(lease, out var h))
            {
                // Only if it is still held as it was (a report may have forgotten it meanwhile).
                held.TryUpdate(lease, new HeldLease(sent + ToTimestamp(renewal.LeaseDuration / 3), renewal.LeaseDuration, queue), h);
            }
        }
    }

    /// <summary>When a held lease is next renewed (a <see cref="TimeProvider"/> timestamp), how long its queue last granted, and
    /// that queue.</summary>
    private readonly record struct HeldLease(long RenewAt, TimeSpan Granted, IQueueGrain Queue);
}
