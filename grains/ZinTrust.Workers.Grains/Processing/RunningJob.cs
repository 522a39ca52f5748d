using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>One attempt in flight on a replica: its token, why it was cancelled, whether its outcome went out.</summary>
internal sealed class RunningJob(LeasedJob job) : IDisposable
{
    private readonly CancellationTokenSource cts = new();
    private int reason = -1;
    private int reported;
    private volatile bool processorDone;
    private List<JobLogLine>? logs;   // lines not yet sent to the queue
    private int logsDropped;          // lines dropped since the last send
    private Lock? logLock;            // made by the first line: a job that logs nothing allocates nothing for it

    public LeasedJob Job { get; } = job;

    /// <summary>This attempt's key: the job and its lease token.</summary>
    public JobLeaseRef Lease { get; } = new(job.JobId, job.LeaseToken);

    public CancellationToken Token => cts.Token;

    public JobCancellationReason? Reason => Volatile.Read(ref reason) is var r and >= 0 ? (JobCancellationReason)r : null;

    public Task Completion { get; set; } = Task.CompletedTask;

    public ITimer? GraceTimer { get; set; }

    /// <summary>How long the processor ran (set when it returned).</summary>
    public TimeSpan ProcessorTime { get; set; }

    /// <summary>Fires the processor's token; the first reason wins.</summary>
    public bool Cancel(JobCancellationReason why)
    {
        if (Interlocked.CompareExchange(ref reason, (int)why, -1) != -1)
        {
            return false;
        }

        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        catch (AggregateException)
        {
            // A processor's own cancellation callback threw; the token has fired regardless.
        }

        return true;
    }

    /// <summary>The processor returned (what follows, plugin hooks and the report, is not the processor's time).</summary>
    public bool IsProcessorDone => processorDone;

    /// <summary>The outcome went out (by the run itself, or by the grace timer of a processor that ignored its timeout).</summary>
    public bool IsReported => Volatile.Read(ref reported) == 1;

    public void MarkProcessorDone() => processorDone = true;

    /// <summary>Keeps a line the processor logged until the next send; past <see cref="JobLogLine.MaxLines"/> unsent ones the
    /// oldest go (the queue keeps no more than that anyway).</summary>
    public void Log(JobLogLine line)
    {
        lock (LazyInitializer.EnsureInitialized(ref logLock))
        {
            logs ??= [];
            if (logs.Count == JobLogLine.MaxLines)
            {
                logs.RemoveAt(0);
                logsDropped++;
            }

            logs.Add(line);
        }
    }

    /// <summary>The lines logged since the last call (null when none), to send with a progress report or the outcome.</summary>
    public JobLogBatch? TakeLogs()
    {
        if (Volatile.Read(ref logLock) is not { } gate)
        {
            return null;
        }

        lock (gate)
        {
            if (logs is not { Count: > 0 })
            {
                return null;
            }

            var taken = new JobLogBatch { Lines = logs, Dropped = logsDropped };
            logs = null;
            logsDropped = 0;
            return taken;
        }
    }

    /// <summary>True for the one caller allowed to report this attempt's outcome.</summary>
    public bool TryMarkReported() => Interlocked.Exchange(ref reported, 1) == 0;

    public void Dispose()
    {
        GraceTimer?.Dispose();
        cts.Dispose();
    }
}
