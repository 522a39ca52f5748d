namespace ZinTrust.Workers.Abstractions;

/// <summary>The router: the partition of an enqueue or of a job id, and queue-wide reads and actions over every partition.</summary>
public sealed partial class QueuePartitions
{
    // A job refused by a partition is sent again after the count is re-read; the count changes only while the queue is empty,
    // so a second refusal means another change raced this one (or a caller addressed a partition itself).
    private const int MaxRoutes = 3;
    private const int MaxRemembered = 10_000;

    /// <summary>The grain of one partition.</summary>
    public IQueueGrain Partition(string queue, int partition) => grains.GetGrain<IQueueGrain>(GrainKey(queue, partition));

    /// <summary>The partition grain holding a job, from its id alone (no round trip).</summary>
    public IQueueGrain ForJob(string queue, string jobId) => Partition(queue, PartitionOf(jobId));

    /// <summary>The partition count, cached for <see cref="CountTtl"/> (read from partition 0 when unknown or older).</summary>
    public async ValueTask<int> CountAsync(string queue) => (await RouteAsync(queue, fresh: false).ConfigureAwait(false)).Partitions.Length;

    /// <summary>Every partition's grain, the count read afresh from partition 0 (for queue-wide reads and actions).</summary>
    public async Task<IReadOnlyList<IQueueGrain>> AllAsync(string queue) => (await RouteAsync(queue, fresh: true).ConfigureAwait(false)).Partitions;

    /// <summary>Forgets the cached count of a queue (the next enqueue reads it again).</summary>
    public void Forget(string queue) => routes.TryRemove(queue, out _);

    /// <summary>Enqueues one job in its partition: through <paramref name="batchers"/> when given (sharing calls with concurrent
    /// callers of the same partition, <see cref="IQueueGrain.EnqueueEach"/>), else alone (<see cref="IQueueGrain.Enqueue"/>).</summary>
    public async Task<EnqueueResult> EnqueueAsync(string queue, EnqueueRequest request, EnqueueBatchers? batchers = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        for (int attempt = 1; ; attempt++)
        {
            var route = await RouteAsync(queue, fresh: attempt > 1).ConfigureAwait(false);
            int partition = PinnedPartition(request, route.Partitions.Length) ?? NextSpread(route.Partitions.Length);
            try
            {
                return batchers is null
                    ? await route.Partitions[partition].Enqueue(request).ConfigureAwait(false)
                    : await batchers.For(GrainKey(queue, partition)).EnqueueAsync(request).ConfigureAwait(false);
            }
            catch (WorkersException ex) when (ex.Code == WorkersErrorCodes.PartitionMismatch && attempt < MaxRoutes)
            {
            }
        }
    }

    /// <summary>
    /// Enqueues a batch (<see cref="IQueueGrain.EnqueueBatch"/>). With one partition, or when no job of it is pinned (by group
    /// or key) elsewhere, the batch goes whole to one partition: one store write, all or none. Otherwise it is split by
    /// partition, each part all or none on its own; results come back in the batch's order.
    /// </summary>
    public async Task<IReadOnlyList<EnqueueResult>> EnqueueBatchAsync(string queue, IReadOnlyList<EnqueueRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var results = new EnqueueResult[requests.Count];
        List<int> pending = [.. Enumerable.Range(0, requests.Count)];
        for (int attempt = 1; ; attempt++)
        {
            var route = await RouteAsync(queue, fresh: attempt > 1).ConfigureAwait(false);
            int count = route.Partitions.Length;
            if (count == 1 && pending.Count == requests.Count)
            {
                return await route.Partitions[0].EnqueueBatch(requests).ConfigureAwait(false);
            }

            int spare = NextSpread(count);
            var parts = pending.GroupBy(i => PinnedPartition(requests[i], count) ?? spare).Select(g => (Partition: g.Key, Jobs: g.ToArray())).ToArray();
            var calls = parts.Select(part => route.Partitions[part.Partition].EnqueueBatch([.. part.Jobs.Select(i => requests[i])])).ToArray();
            try
            {
                await Task.WhenAll(calls).ConfigureAwait(false);
            }
            catch (WorkersException) when (attempt < MaxRoutes && calls.All(c => c.IsCompletedSuccessfully || Mismatch(c)))
            {
            }

            // Every part either succeeded, or was refused as misplaced (sent again below), or failed otherwise (thrown above).
            pending.Clear();
            for (int k = 0; k < parts.Length; k++)
            {
                if (calls[k].IsCompletedSuccessfully)
                {
                    for (int j = 0; j < parts[k].Jobs.Length; j++)
                    {
                        results[parts[k].Jobs[j]] = calls[k].Result[j];
                    }
                }
                else
                {
                    pending.AddRange(parts[k].Jobs);
                }
            }

            if (pending.Count == 0)
            {
                return results;
            }
        }
    }

    /// <summary>The queue's stats summed over its partitions: counts and counters added, the oldest wait the earliest, paused
    /// when any partition is. One call for a queue of one partition (its stats say the count).</summary>
    public async Task<QueueStats> GetStatsAsync(string queue)
    {
        var first = await Partition(queue, 0).GetStats().ConfigureAwait(false);
        Remember(queue, first.Partitions);
        if (first.Partitions <= 1)
        {
            return first;
        }

        var rest = await Task.WhenAll(Enumerable.Range(1, first.Partitions - 1).Select(p => Partition(queue, p).GetStats())).ConfigureAwait(false);
        return Summed(queue, [first, .. rest]);
    }

    /// <summary>
    /// A page of the queue's jobs in one state. With several partitions each is read up to offset + limit (at most
    /// <see cref="MaxMergedWindow"/>) and the lists are merged by time: waiting by priority, then since when; delayed by run
    /// time; active by start; settled ones by when they finished; parents waiting for children by creation.
    /// </summary>
    public async Task<IReadOnlyList<JobRecord>> ListJobsAsync(string queue, JobState state, int offset, int limit)
    {
        var all = await AllAsync(queue).ConfigureAwait(false);
        if (all.Count == 1)
        {
            return await all[0].ListJobs(state, offset, limit).ConfigureAwait(false);
        }

        offset = Math.Max(0, offset);
        if (offset + limit > MaxMergedWindow)
        {
            throw new WorkersException(WorkersErrorCodes.InvalidQuery, $"Queue '{queue}' has {all.Count} partitions: its pages reach {MaxMergedWindow} jobs (offset + limit); filter or prune to see further.");
        }

        var pages = await Task.WhenAll(all.Select(p => p.ListJobs(state, 0, offset + limit))).ConfigureAwait(false);
        var merged = pages.SelectMany(page => page);
        merged = state == JobState.Waiting
            ? merged.OrderByDescending(j => j.Priority).ThenBy(j => j.UpdatedAt)
            : merged.OrderBy(j => state switch
            {
                JobState.Delayed => j.RunAt ?? j.UpdatedAt,
                JobState.Active => j.StartedAt ?? j.UpdatedAt,
                JobState.WaitingChildren => j.CreatedAt,
                _ => j.FinishedAt ?? j.UpdatedAt,
            });
        return [.. merged.Skip(offset).Take(limit)];
    }

    /// <summary>Pauses every partition: none leases until resumed.</summary>
    public Task PauseAsync(string queue) => EachAsync(queue, p => p.Pause());

    /// <summary>Resumes every partition.</summary>
    public Task ResumeAsync(string queue) => EachAsync(queue, p => p.Resume());

    /// <summary>Sets the canary split on every partition.</summary>
    public Task SetSplitAsync(string queue, TrafficSplit? split) => EachAsync(queue, p => p.SetSplit(split));

    /// <summary>Prunes every partition (<see cref="IQueueGrain.Prune"/>); returns how many were deleted in all.</summary>
    public async Task<int> PruneAsync(string queue, TimeSpan olderThan, bool includeDeadLetters) =>
        (await SumAsync(queue, null, (p, _) => p.Prune(olderThan, includeDeadLetters)).ConfigureAwait(false));

    /// <summary>Retries dead letters (null ids: all) in the partitions the ids name.</summary>
    public Task<int> RetryDeadLettersAsync(string queue, IReadOnlyList<string>? jobIds) => SumAsync(queue, jobIds, (p, ids) => p.RetryDeadLetters(ids));

    /// <summary>Deletes dead letters (null ids: all) in the partitions the ids name.</summary>
    public Task<int> DeleteDeadLettersAsync(string queue, IReadOnlyList<string>? jobIds) => SumAsync(queue, jobIds, (p, ids) => p.DeleteDeadLetters(ids));

    /// <summary>Throws <c>PARTITIONS_LOCKED</c> when the queue's count differs from <paramref name="partitions"/> and a partition
    /// holds work (a check before a worker records a new count; the queue checks again when the count is set).</summary>
    public async Task EnsureCanPartitionAsync(string queue, int partitions)
    {
        var first = await Partition(queue, 0).GetStats().ConfigureAwait(false);
        Remember(queue, first.Partitions);
        if (first.Partitions == partitions)
        {
            return;
        }

        int reach = Math.Max(first.Partitions, partitions);
        var rest = await Task.WhenAll(Enumerable.Range(1, reach - 1).Select(p => Partition(queue, p).GetStats())).ConfigureAwait(false);
        QueueStats[] all = [first, .. rest];
        for (int p = 0; p < all.Length; p++)
        {
            var s = all[p];
            bool busy = s.Waiting + s.Delayed + s.Active + s.WaitingChildren > 0 || (p >= partitions && s.Completed + s.Failed + s.Cancelled > 0);
            if (busy)
            {
                throw Locked(queue, first.Partitions, partitions);
            }
        }
    }

    /// <summary>The refusal of a partition count change while a partition holds jobs.</summary>
    public static WorkersException Locked(string queue, int from, int to) => new(
        WorkersErrorCodes.PartitionsLocked,
        $"Queue '{queue}' has {from} partition(s) and holds jobs; its partition count can change to {to} only while no partition has waiting, delayed, active or waiting-children jobs (and the partitions that go hold none at all: prune them first).");

    /// <summary>Stats of <paramref name="all"/> partitions of <paramref name="queue"/> as the queue's: counts and counters added,
    /// the oldest wait the earliest, paused when any partition is.</summary>
    public static QueueStats Summed(string queue, IReadOnlyList<QueueStats> all) => new()
    {
        Queue = queue,
        Partitions = all.Count,
        Waiting = all.Sum(s => s.Waiting),
        Delayed = all.Sum(s => s.Delayed),
        Active = all.Sum(s => s.Active),
        Completed = all.Sum(s => s.Completed),
        Failed = all.Sum(s => s.Failed),
        Cancelled = all.Sum(s => s.Cancelled),
        WaitingChildren = all.Sum(s => s.WaitingChildren),
        Paused = all.Any(s => s.Paused),
        Watchers = all.Sum(s => s.Watchers),
        Counters = new QueueCounters
        {
            Enqueued = all.Sum(s => s.Counters.Enqueued),
            Completed = all.Sum(s => s.Counters.Completed),
            Retried = all.Sum(s => s.Counters.Retried),
            DeadLettered = all.Sum(s => s.Counters.DeadLettered),
            Stalled = all.Sum(s => s.Counters.Stalled),
            Cancelled = all.Sum(s => s.Counters.Cancelled),
            DeadLettersDropped = all.Sum(s => s.Counters.DeadLettersDropped),
            Refused = all.Sum(s => s.Counters.Refused),
            Since = all.Min(s => s.Counters.Since),
        },
        Limits = all[0].Limits is { } limits ? limits with { Groups = all.Sum(s => s.Limits?.Groups ?? 0) } : null,
        OldestWaitingSince = all.Min(s => s.OldestWaitingSince),
        OldestWaitingAge = all.Max(s => s.OldestWaitingAge),
    };

    private static bool Mismatch(Task call) =>
        call.Exception?.InnerException is WorkersException { Code: WorkersErrorCodes.PartitionMismatch };

    private async Task EachAsync(string queue, Func<IQueueGrain, Task> action) =>
        await Task.WhenAll((await AllAsync(queue).ConfigureAwait(false)).Select(action)).ConfigureAwait(false);

    /// <summary>An action on the partitions (null ids: all of them with null; otherwise each partition the ids name, with its ids).</summary>
    private async Task<int> SumAsync(string queue, IReadOnlyList<string>? jobIds, Func<IQueueGrain, IReadOnlyList<string>?, Task<int>> action)
    {
        var all = await AllAsync(queue).ConfigureAwait(false);
        if (all.Count == 1)
        {
            return await action(all[0], jobIds).ConfigureAwait(false);
        }

        var counts = jobIds is null
            ? await Task.WhenAll(all.Select(p => action(p, null))).ConfigureAwait(false)
            : await Task.WhenAll(jobIds.GroupBy(PartitionOf).Where(g => g.Key < all.Count).Select(g => action(all[g.Key], [.. g]))).ConfigureAwait(false);
        return counts.Sum();
    }

    private async ValueTask<Route> RouteAsync(string queue, bool fresh)
    {
        if (!fresh && routes.TryGetValue(queue, out var known) && Environment.TickCount64 < known.UntilTick)
        {
            return known;
        }

        var policy = await Partition(queue, 0).GetPolicy().ConfigureAwait(false);
        return Remember(queue, policy.Partitions);
    }

    private Route Remember(string queue, int partitions)
    {
        partitions = Math.Clamp(partitions, 1, Max);
        if (routes.Count >= MaxRemembered && !routes.ContainsKey(queue))
        {
            routes.Clear();   // a bound for processes that name many queues; the counts are read again
        }

        var until = Environment.TickCount64 + (long)CountTtl.TotalMilliseconds;
        var route = routes.TryGetValue(queue, out var known) && known.Partitions.Length == partitions
            ? known with { UntilTick = until }
            : new Route([.. Enumerable.Range(0, partitions).Select(p => Partition(queue, p))], until);
        routes[queue] = route;
        return route;
    }

    private int NextSpread(int partitions) => partitions == 1 ? 0 : (int)((uint)Interlocked.Increment(ref spread) % (uint)partitions);
}
