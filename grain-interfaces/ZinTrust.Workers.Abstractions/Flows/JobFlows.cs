namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// Creates flows. Each job is enqueued before its children, already waiting for them, and each child names its parent, so a
/// child that settles at once still finds its parent. Idempotent by key: every job of the flow gets an idempotency key
/// derived from the root's (<c>KEY</c>, <c>KEY/0</c>, <c>KEY/0/1</c>...), so creating the same flow again with the same key
/// (a retry after a lost answer or a crash part-way) returns the same jobs and creates only those that were missing.
/// </summary>
public static class JobFlows
{
    /// <summary>Characters a flow's idempotency key may have: its jobs' keys add "/i" per level (10 levels of 1,000 children).</summary>
    public const int MaxKeyLength = WorkerValidation.MaxIdempotencyKeyLength - (JobFlow.MaxDepth * 4);
    /// <summary>The problem of a flow, if it has one: depth, size, queue names, children on a delayed job, and each job's own.</summary>
    public static ValidationError? Check(JobFlow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        int jobs = 0;
        return Check(flow, 1, ref jobs);
    }

    /// <summary>
    /// Creates <paramref name="flow"/> with the root idempotency key <paramref name="key"/> (the root job's own key wins when it
    /// has one). Throws <see cref="WorkersException"/> (<c>INVALID_FLOW</c>, or the enqueue's own codes) before anything is
    /// created when the flow is malformed; after a failure part-way, calling again with the same key completes it.
    /// </summary>
    public static Task<FlowJob> CreateAsync(IGrainFactory grains, JobFlow flow, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (Check(flow) is { } problem)
        {
            throw problem.ToException();
        }

        var root = flow.Job.IdempotencyKey ?? key;
        if (root.Length > MaxKeyLength || root.Any(char.IsControl))
        {
            // Checked here too (the key may come from a header): a child's longer key must not fail part-way through.
            throw new ValidationError(WorkersErrorCodes.InvalidFlow, "idempotencyKey", $"A flow's idempotency key is 1..{MaxKeyLength} printable characters (its jobs' keys add to it).").ToException();
        }

        return CreateAsync(grains, flow, null, root, cancellationToken);
    }

    private static async Task<FlowJob> CreateAsync(IGrainFactory grains, JobFlow node, FlowRef? parent, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var request = node.Job with
        {
            IdempotencyKey = key,
            Parent = parent,
            Children = node.Children.Count,
            OnChildFailure = node.OnChildFailure,
        };
        // Each job's key places it in its partition (a retry finds it); a child names its parent's id, which names the parent's.
        var ack = await QueuePartitions.Of(grains).EnqueueAsync(node.Queue, request).WaitAsync(cancellationToken).ConfigureAwait(false);
        var children = new FlowJob[node.Children.Count];
        for (int i = 0; i < children.Length; i++)
        {
            children[i] = await CreateAsync(grains, node.Children[i], new FlowRef { Queue = node.Queue, JobId = ack.JobId, Index = i }, $"{key}/{i}", cancellationToken)
                .ConfigureAwait(false);
        }

        return new FlowJob(node.Queue, ack.JobId, ack.Created, children);
    }

    private static ValidationError? Check(JobFlow node, int depth, ref int jobs)
    {
        if (node is null || node.Job is null || node.Children is null)
        {
            return new(WorkersErrorCodes.InvalidFlow, "flow", "Every job of a flow needs a queue and a job.");
        }

        if (WorkerValidation.CheckQueueName(node.Queue) is { } queueError)
        {
            return queueError;
        }

        if (depth > JobFlow.MaxDepth)
        {
            return new(WorkersErrorCodes.InvalidFlow, "children", $"A flow has at most {JobFlow.MaxDepth} levels.");
        }

        if (++jobs > JobFlow.MaxJobs)
        {
            return new(WorkersErrorCodes.InvalidFlow, "children", $"A flow has at most {JobFlow.MaxJobs} jobs.");
        }

        if (WorkerValidation.Validate(node.Job) is [var jobProblem, ..])
        {
            return jobProblem;   // every job is checked before any is created: a flow is not left half made by bad input
        }

        if (node.Children.Count > 0 && (node.Job.Delay is not null || node.Job.RunAt is not null))
        {
            return new(WorkersErrorCodes.InvalidFlow, "delay", "A job with children runs when they have settled: give it no delay or runAt.");
        }


        foreach (var child in node.Children)
        {
            if (Check(child, depth + 1, ref jobs) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }
}
