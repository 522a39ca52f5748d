using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The processing engine of one replica. It runs on the thread pool, outside grain turns, so a slow job never
/// blocks a grain. Loops: lease (bounded by concurrency; sleeps until woken when the queue is empty), report
/// (outcomes in batches), renew (leases of running jobs), health (the worker's health check).
/// </summary>
/// <remarks>
/// Where at-least-once comes from: a job is reported only after its processor returned; a report that never
/// arrives (silo died, queue unreachable) leaves the lease to expire, and the queue hands the job out again.
/// </remarks>
internal sealed partial class ReplicaRunner : IDisposable
{
    private const int MaxReportBatch = 512;
    private const int MaxErrorLength = 4000;
    private static readonly TimeSpan ReportRetryBudget = TimeSpan.FromMinutes(2);

    private readonly ReplicaSpec spec;
    private readonly string replicaId;
    private readonly QueueSlot[] queues;          // the queues consumed (the worker's own first), with their weights
    private readonly int totalWeight;
    private readonly IWorkerGrain worker;
    private readonly ICircuitBreakerGrain? circuit;
    private readonly IGrainFactory grains;
    private readonly Func<IServiceProvider, IJobProcessor> processorFactory;
    private readonly IWorkerHealthCheck? healthCheck;
    private readonly IServiceProvider services;
    private readonly TimeProvider clock;
    private readonly WorkersOptions options;
    private readonly PluginHost plugins;
    private readonly IJobFilter[] filters;
    private readonly IJobFilter tracing;
    private readonly string silo;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopLeasing = new();
    private readonly CancellationTokenSource shutdown = new();
    private readonly CancellationToken shutdownToken;
    private readonly AsyncSignal signal = new();
    // Attempts in flight and the leases to renew, by (job id, lease token): one job can be leased to this replica again after
    // its lease expired, while the old attempt still runs; each attempt then has its own entry.
    private readonly ConcurrentDictionary<JobLeaseRef, RunningJob> running = new();
    private readonly ConcurrentDictionary<JobLeaseRef, HeldLease> held = new();
    private readonly AsyncSignal renewSignal = new();
    private readonly Channel<PendingOutcome> outcomes = Channel.CreateUnbounded<PendingOutcome>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task leaseLoop = Task.CompletedTask;
    private Task reportLoop = Task.CompletedTask;
    private Task renewLoop = Task.CompletedTask;
    private Task healthLoop = Task.CompletedTask;
    private int concurrency;
    private long nextRenewal = long.MaxValue;
    private int stopping;
    private long completed;
    private long failed;
    private long durationTicks;
    private readonly DurationHistogram durations = new();
    private readonly RunTimeHistogram runTimes = new();
    private readonly string incarnation = Guid.NewGuid().ToString("N");
    private volatile ReplicaState state = ReplicaState.Stopped;
    private volatile WorkerHealth health = new();
    private volatile string? lastError;

    public ReplicaRunner(
        ReplicaSpec spec,
        string replicaId,
        IGrainFactory grains,
        Func<IServiceProvider, IJobProcessor> processorFactory,
        IWorkerHealthCheck? healthCheck,
        IServiceProvider services,
        TimeProvider clock,
        WorkersOptions options,
        PluginHost plugins,
        JobPipeline pipeline,
        string silo,
        ILogger logger)
    {
        this.spec = spec;
        this.replicaId = replicaId;
        this.processorFactory = processorFactory;
        this.healthCheck = healthCheck;
        this.services = services;
        this.clock = clock;
        this.options = options;
        this.plugins = plugins;
        filters = pipeline.Filters;
        tracing = pipeline.Tracing;
        this.silo = silo;
        this.logger = logger;
        this.grains = grains;
        shutdownToken = shutdown.Token;   // taken once: jobs that outlive the runner must not touch the disposed source
        queues = Slots(spec, grains);
        totalWeight = queues.Sum(q => q.Weight);
        circuit = spec.Circuit is null ? null : grains.GetGrain<ICircuitBreakerGrain>(spec.Circuit);
        worker = grains.GetGrain<IWorkerGrain>(spec.WorkerName);
        concurrency = spec.Concurrency;
    }

    public long Generation => spec.Generation;

    public ReplicaSpec Spec => spec;

    public void Start()
    {
        state = ReplicaState.Running;

        // The loops outlive the call that starts them: they must not carry its span (every lease would join that trace).
        var current = Activity.Current;
        Activity.Current = null;
        try
        {
            leaseLoop = Task.Run(LeaseLoopAsync);
            reportLoop = Task.Run(ReportLoopAsync);
            renewLoop = Task.Run(RenewLoopAsync);
            if (healthCheck is not null)
            {
                healthLoop = Task.Run(HealthLoopAsync);
            }
        }
        finally
        {
            Activity.Current = current;
        }

        LogStarted(logger, replicaId, string.Join(", ", queues.Select(q => q.Name).Distinct(StringComparer.Ordinal)), spec.Concurrency, spec.Generation);
    }

    public void SetConcurrency(int value)
    {
        // Only a change wakes the lease loop: supervision re-sends the same value every interval.
        if (Interlocked.Exchange(ref concurrency, value) != value)
        {
            signal.Set();
        }
    }

    public void Wake() => signal.Set();

    /// <summary>Fires the token of every attempt of the job running here (there are two when the job was leased here again
    /// while an attempt that lost its lease still runs).</summary>
    public void Cancel(string jobId)
    {
        foreach (var (lease, run) in running)
        {
            if (lease.JobId == jobId && run.Cancel(JobCancellationReason.Cancelled))
            {
                LogJobCancelled(logger, replicaId, jobId);
            }
        }
    }

    public ReplicaStatus Snapshot(string? silo) => new()
    {
        ReplicaId = replicaId,
        State = state,
        Silo = silo,
        Concurrency = Volatile.Read(ref concurrency),
        InFlight = running.Count,
        Completed = Interlocked.Read(ref completed),
        Failed = Interlocked.Read(ref failed),
        Generation = spec.Generation,
        Version = spec.Version,
        TotalDuration = TimeSpan.FromTicks(Interlocked.Read(ref durationTicks)),
        DurationBuckets = durations.Snapshot(),
        RunTimeBuckets = runTimes.Snapshot(),
        Incarnation = incarnation,
        LastError = lastError,
        Health = health,
    };

    /// <summary>Graceful stop: no new leases; in-flight jobs get <paramref name="drain"/> to finish, then their
    /// tokens fire and they are handed back to the queue; outcomes are flushed.</summary>
    public async Task StopAsync(TimeSpan drain)
    {
        if (Interlocked.Exchange(ref stopping, 1) == 1)
        {
            await stopped.Task.ConfigureAwait(false);
            return;
        }

        state = ReplicaState.Draining;
        await stopLeasing.CancelAsync().ConfigureAwait(false);
        signal.Set();
        await leaseLoop.ConfigureAwait(false);

        var inFlight = Task.WhenAll(running.Values.Select(r => r.Completion).ToArray());
        if (!await CompletesWithin(inFlight, drain).ConfigureAwait(false))
        {
            LogDrainTimedOut(logger, replicaId, running.Count, drain);
            foreach (var job in running.Values)
            {
                job.Cancel(JobCancellationReason.Shutdown);
            }

            // Processors that ignore their token keep running; their leases lapse once renewal stops and the jobs run again.
            await CompletesWithin(inFlight, options.TimeoutGrace).ConfigureAwait(false);
        }

        outcomes.Writer.TryComplete();
        await CompletesWithin(reportLoop, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await shutdown.CancelAsync().ConfigureAwait(false);
        await CompletesWithin(Task.WhenAll(renewLoop, healthLoop), TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        state = ReplicaState.Stopped;
        stopped.TrySetResult();
        LogStopped(logger, replicaId, Interlocked.Read(ref completed), Interlocked.Read(ref failed));
    }

    public void Dispose()
    {
        stopLeasing.Dispose();
        shutdown.Dispose();
    }

    private async Task LeaseLoopAsync()
    {
        int failures = 0;
        var token = stopLeasing.Token;
        while (!token.IsCancellationRequested)
        {
            int free = Volatile.Read(ref concurrency) - running.Count;
            if (free <= 0)
            {
                // A finishing job or a concurrency change sets the signal.
                await signal.WaitAsync(Timeout.InfiniteTimeSpan, token).ConfigureAwait(false);
                continue;
            }

            IReadOnlyList<LeasedJob> jobs;
            long sent = clock.GetTimestamp();
            try
            {
                jobs = queues.Length == 1
                    ? await queues[0].Grain.LeaseFor(new LeaseRequest { ReplicaId = replicaId, Max = free, Version = spec.Version }).ConfigureAwait(false)
                    : await LeaseWeightedAsync(free).ConfigureAwait(false);
                failures = 0;
            }
            catch (Exception ex)
            {
                failures++;
                lastError = ex is WorkersException known ? known.Message : "The queue could not be reached to lease jobs; retrying.";
                LogLeaseFailed(logger, replicaId, failures, ex);
                await signal.WaitAsync(RetryDelay(failures), token).ConfigureAwait(false);
                continue;
            }

            if (jobs.Count == 0)
            {
                // The queue wakes us when work arrives; the poll interval is only a safety net.
                await signal.WaitAsync(options.IdlePollInterval, token).ConfigureAwait(false);
                continue;
            }

            foreach (var job in jobs)
            {
                Hold(new JobLeaseRef(job.JobId, job.LeaseToken), SlotOf(job).Grain, sent, job.LeaseDuration);
                if (token.IsCancellationRequested)
                {
                    // Leased while we were stopping: hand it straight back.
                    Send(job, new JobOutcome { JobId = job.JobId, LeaseToken = job.LeaseToken, Kind = JobOutcomeKind.Released });
                    continue;
                }

                Launch(job);
            }
        }
    }

    /// <summary>Queues an outcome for the report loop, to the queue its job came from.</summary>
    private void Send(LeasedJob job, JobOutcome outcome) => outcomes.Writer.TryWrite(new PendingOutcome(SlotOf(job).Grain, outcome));

    private void Launch(LeasedJob job)
    {
        var run = new RunningJob(job);
        running[run.Lease] = run;
        run.Completion = Task.Run(() => ExecuteAsync(run));
    }

    /// <summary>
    /// One attempt through the processor pipeline: tracing (when a listener asks), the registered filters in order, the
    /// plugins' job hooks, then the processor under its timeout. Without filters, plugins or listeners, only the processor.
    /// </summary>
    private async Task ExecuteAsync(RunningJob run)
    {
        var context = new RunnerJobContext(run, spec.WorkerName, spec.Version, SlotOf(run.Job).Grain, grains);

        // Plugins: the enabled set is read once per job. Without plugins on this silo that check is the whole cost.
        var hooks = plugins.HasPlugins && !spec.PluginsOff ? plugins.Enabled : null;
        bool traced = !spec.TracingOff && WorkersActivity.Source.HasListeners();
        JobAttemptResult result;
        try
        {
            if (hooks is not { HasJobHooks: true } && filters.Length == 0 && !traced)
            {
                // Nothing around the processor: no delegates to build for this attempt.
                result = await RunProcessorAsync(run, context).ConfigureAwait(false);
            }
            else
            {
                JobAttemptDelegate chain = ctx => RunProcessorAsync(run, ctx);
                if (hooks is { HasJobHooks: true })
                {
                    chain = Wrap(new PluginJobFilter(this, hooks, run), chain);
                }

                for (int i = filters.Length - 1; i >= 0; i--)
                {
                    chain = Wrap(filters[i], chain);
                }

                if (traced)
                {
                    chain = Wrap(tracing, chain);
                }

                result = await chain(context).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // A filter threw: the attempt failed with its exception.
            result = JobAttemptResult.Failed(ex);
        }

        Finish(run, Outcome(run, result), run.ProcessorTime);

        static JobAttemptDelegate Wrap(IJobFilter filter, JobAttemptDelegate next) => ctx => filter.InvokeAsync(ctx, next);
    }

    /// <summary>The innermost step: the processor, in a fresh service scope, under the job's timeout; its exception is the
    /// attempt's failed result.</summary>
    private async ValueTask<JobAttemptResult> RunProcessorAsync(RunningJob run, JobContext context)
    {
        long started = Stopwatch.GetTimestamp();
        using var timeout = clock.CreateTimer(_ => OnTimeout(run), null, run.Job.Timeout, Timeout.InfiniteTimeSpan);
        try
        {
            await using var scope = services.CreateAsyncScope();
            var processor = processorFactory(scope.ServiceProvider);
            return JobAttemptResult.Completed(await processor.ProcessAsync(context).ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            return JobAttemptResult.Failed(ex);
        }
        finally
        {
            run.ProcessorTime = Stopwatch.GetElapsedTime(started);
            run.MarkProcessorDone();
        }
    }

    /// <summary>What to report for an attempt's result; null when nothing is (cancelled, or its lease lost: not ours to decide).</summary>
    internal static JobOutcome? Outcome(RunningJob run, JobAttemptResult result)
    {
        var job = run.Job;
        switch (result.Kind)
        {
            case JobAttemptResultKind.Completed:
                return new JobOutcome { JobId = job.JobId, LeaseToken = job.LeaseToken, Kind = JobOutcomeKind.Completed, Result = JsonSerializer.Serialize(result.Value, JobContext.JsonOptions) };
            case JobAttemptResultKind.Deferred:
                return new JobOutcome { JobId = job.JobId, LeaseToken = job.LeaseToken, Kind = JobOutcomeKind.Deferred, Delay = result.Delay };
        }

        var ex = result.Error!;
        return run.Reason switch
        {
            JobCancellationReason.Timeout => Failure(job, JobOutcomeKind.Failed, $"Timed out after {job.Timeout.TotalSeconds:0.###} s."),
            JobCancellationReason.Shutdown => new JobOutcome { JobId = job.JobId, LeaseToken = job.LeaseToken, Kind = JobOutcomeKind.Released },
            JobCancellationReason.Cancelled or JobCancellationReason.LeaseLost => null,
            // A dependency's circuit is open: the job waits for it, using no attempt.
            _ when ex is CircuitOpenException open => new JobOutcome { JobId = job.JobId, LeaseToken = job.LeaseToken, Kind = JobOutcomeKind.Deferred, Delay = open.RetryAfter },
            _ when ex is UnrecoverableJobException => Failure(job, JobOutcomeKind.FailedUnrecoverable, Describe(ex)),
            _ => Failure(job, JobOutcomeKind.Failed, Describe(ex)),
        };
    }

    /// <summary>Frees the job's slot and reports its outcome (unless it has none, or the grace timer reported it).</summary>
    private void Finish(RunningJob run, JobOutcome? outcome, TimeSpan elapsed)
    {
        var job = run.Job;
        running.TryRemove(run.Lease, out _);
        run.Dispose();
        signal.Set();
        if (outcome is null || !run.TryMarkReported())
        {
            if (outcome is null)
            {
                Forget(job.JobId, job.LeaseToken);
            }

            return;
        }

        Count(outcome.Kind, elapsed);
        Send(job, outcome with { Duration = elapsed, Logs = run.TakeLogs() });
    }

    private void OnTimeout(RunningJob run)
    {
        if (!run.Cancel(JobCancellationReason.Timeout))
        {
            return;
        }

        LogJobTimedOut(logger, replicaId, run.Job.JobId, run.Job.Timeout);

        // If the processor ignores its token, fail the attempt after a grace period anyway; its slot stays
        // taken until it really returns, so concurrency remains a hard bound.
        run.GraceTimer = clock.CreateTimer(
            static s =>
            {
                var (runner, job) = ((ReplicaRunner, RunningJob))s!;
                if (!job.IsProcessorDone && job.TryMarkReported())
                {
                    runner.Count(JobOutcomeKind.Failed, job.Job.Timeout);
                    runner.Send(job.Job, Failure(job.Job, JobOutcomeKind.Failed, IgnoredTimeoutError(job.Job)) with { Logs = job.TakeLogs() });
                }
            },
            (this, run),
            options.TimeoutGrace,
            Timeout.InfiniteTimeSpan);
    }

    private void Count(JobOutcomeKind kind, TimeSpan elapsed)
    {
        if (!spec.MetricsOff && kind is JobOutcomeKind.Completed or JobOutcomeKind.Failed or JobOutcomeKind.FailedUnrecoverable)
        {
            WorkersInstruments.Duration.Record(
                elapsed.TotalMilliseconds,
                new KeyValuePair<string, object?>(WorkersInstruments.WorkerTag, spec.WorkerName),
                new KeyValuePair<string, object?>(WorkersInstruments.OutcomeTag, kind == JobOutcomeKind.Completed ? "completed" : "failed"));
        }

        if (kind == JobOutcomeKind.Completed)
        {
            Interlocked.Increment(ref completed);
        }
        else if (kind is JobOutcomeKind.Failed or JobOutcomeKind.FailedUnrecoverable)
        {
            Interlocked.Increment(ref failed);
        }
        else
        {
            return;
        }

        Interlocked.Add(ref durationTicks, elapsed.Ticks);
        durations.Record(elapsed);
        runTimes.Record(elapsed);
    }

    private async Task ReportLoopAsync()
    {
        var reader = outcomes.Reader;
        var pending = new List<PendingOutcome>(MaxReportBatch);
        var batch = new List<JobOutcome>(MaxReportBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            pending.Clear();
            while (pending.Count < MaxReportBatch && reader.TryRead(out var outcome))
            {
                pending.Add(outcome);
            }

            // One call per queue with outcomes (one queue but for a multi-queue worker), each in report order.
            while (pending.Count > 0)
            {
                var target = pending[0].Queue;
                batch.Clear();
                foreach (var outcome in pending)
                {
                    if (outcome.Queue == target)
                    {
                        batch.Add(outcome.Job);
                    }
                }

                pending.RemoveAll(o => o.Queue == target);
                await SendAsync(target, batch).ConfigureAwait(false);
            }
        }
    }

    private async Task SendAsync(IQueueGrain queue, List<JobOutcome> batch)
    {
        // Finished work is worth keeping: retry for as long as a silo failure can take to detect and heal
        // (the leases of these jobs are still renewed meanwhile), rather than let them expire and run again.
        var giveUpAt = Stopwatch.GetTimestamp() + (long)(ReportRetryBudget.TotalSeconds * Stopwatch.Frequency);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await queue.Report(replicaId, batch.ToArray()).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (Stopwatch.GetTimestamp() < giveUpAt)
            {
                LogReportRetry(logger, replicaId, batch.Count, attempt, ex);
                await Task.Delay(RetryDelay(attempt)).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Give up: the leases expire and the queue hands these jobs out again (at-least-once).
                LogReportDropped(logger, replicaId, batch.Count, ex);
                break;
            }
        }

        int successes = 0, failures = 0;
        foreach (var outcome in batch)
        {
            Forget(outcome.JobId, outcome.LeaseToken);
            successes += outcome.Kind == JobOutcomeKind.Completed ? 1 : 0;
            failures += outcome.Kind is JobOutcomeKind.Failed or JobOutcomeKind.FailedUnrecoverable ? 1 : 0;
        }

        if (circuit is not null && successes + failures > 0)
        {
            // One one-way message per batch, not per job: the circuit sees counts, in report order.
            circuit.Record(successes, failures).Ignore();
        }
    }

    private static JobOutcome Failure(LeasedJob job, JobOutcomeKind kind, string error) =>
        new() { JobId = job.JobId, LeaseToken = job.LeaseToken, Kind = kind, Error = error };

    private static string IgnoredTimeoutError(LeasedJob job) =>
        $"Timed out after {job.Timeout.TotalSeconds:0.###} s; the processor ignored cancellation.";

    private static string Describe(Exception ex)
    {
        var text = $"{ex.GetType().Name}: {ex.Message}";
        return text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
    }

    private static TimeSpan RetryDelay(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(5000, 50 * Math.Pow(2, Math.Min(failures, 10))));

    private static async Task<bool> CompletesWithin(Task task, TimeSpan timeout)
    {
        if (task.IsCompleted)
        {
            return true;
        }

        var winner = await Task.WhenAny(task, Task.Delay(timeout)).ConfigureAwait(false);
        return winner == task;
    }

    /// <summary>An outcome on its way to the queue its job came from.</summary>
    private readonly record struct PendingOutcome(IQueueGrain Queue, JobOutcome Job);
}
