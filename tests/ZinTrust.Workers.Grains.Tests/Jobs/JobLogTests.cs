using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Per-job logs: the lines a processor logs are stored with the job, every attempt's, bounded, and only by the attempt
/// that holds the lease.</summary>
public sealed class JobLogTests
{
    [Fact]
    public async Task EveryAttemptsLines_AreStoredWithTheJob_InOrder_WithTheirAttempt()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        await c.StartWorker("logger", "log-q");
        var ack = await c.Enqueue("log-q", new TestJob { LogLines = 3, FailTimes = 1 }, attempts: 2, backoff: new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.FromMilliseconds(50) });

        var job = await c.WaitForState("log-q", ack.JobId, JobState.Completed);

        Assert.Equal(
            ["line 1 of attempt 1", "line 2 of attempt 1", "line 3 of attempt 1", "line 1 of attempt 2", "line 2 of attempt 2", "line 3 of attempt 2"],
            job.Logs!.Select(l => l.Message));
        Assert.Equal([1, 1, 1, 2, 2, 2], job.Logs!.Select(l => l.Attempt));
        Assert.Equal(0, job.LogsDropped);
    }

    [Fact]
    public async Task ALongLog_KeepsItsLastLines_AndCountsTheDroppedOnes()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        await c.StartWorker("chatty", "chatty-q");
        var ack = await c.Enqueue("chatty-q", new TestJob { LogLines = JobLogLine.MaxLines + 50 });

        var job = await c.WaitForState("chatty-q", ack.JobId, JobState.Completed);

        Assert.Equal(JobLogLine.MaxLines, job.Logs!.Count);
        Assert.Equal("line 51 of attempt 1", job.Logs[0].Message);
        Assert.Equal($"line {JobLogLine.MaxLines + 50} of attempt 1", job.Logs[^1].Message);
        Assert.Equal(50, job.LogsDropped);
    }

    [Fact]
    public async Task LinesAreVisibleWhileTheJobRuns_OnceProgressIsReported()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        await c.StartWorker("slow-logger", "slow-log-q");
        var ack = await c.Enqueue("slow-log-q", new TestJob { LogLines = 2, Progress = 10, SleepMs = -1 });

        var running = await Eventually.Get(() => c.Queue("slow-log-q").GetJob(ack.JobId), j => j?.Progress == 10, "progress is reported");

        Assert.Equal(JobState.Active, running!.State);
        Assert.Equal(["line 1 of attempt 1", "line 2 of attempt 1"], running.Logs!.Select(l => l.Message));
        Assert.Equal(CancelResult.Cancelled, await c.Queue("slow-log-q").Cancel(ack.JobId));
    }

    [Fact]
    public async Task OnlyTheLeaseHolder_AppendsLines()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1);
        var queue = c.Queue("log-fence-q");
        var ack = await queue.Enqueue(new EnqueueRequest { Payload = "{}" });
        var lease = Assert.Single(await queue.Lease("r/0", 1));
        var line = JobLogLine.Create(DateTimeOffset.UtcNow, 1, "from the holder");

        Assert.False(await queue.AppendLogs(new JobLeaseRef(ack.JobId, lease.LeaseToken - 1), Batch(line with { Message = "from a zombie" })));
        Assert.True(await queue.AppendLogs(new JobLeaseRef(ack.JobId, lease.LeaseToken), Batch(line)));
        await queue.Report("r/0", [new JobOutcome { JobId = ack.JobId, LeaseToken = lease.LeaseToken, Kind = JobOutcomeKind.Completed, Logs = Batch(line with { Message = "with the outcome" }) }]);
        Assert.False(await queue.AppendLogs(new JobLeaseRef(ack.JobId, lease.LeaseToken), Batch(line with { Message = "after the end" })));

        var job = await queue.GetJob(ack.JobId);
        Assert.Equal(["from the holder", "with the outcome"], job!.Logs!.Select(l => l.Message));
    }

    private static JobLogBatch Batch(JobLogLine line) => new() { Lines = [line] };

    [Fact]
    public void ALine_IsCutToItsBound_AndHoldsNoControlCharacters()
    {
        var line = JobLogLine.Create(DateTimeOffset.UnixEpoch, 1, "a\u001b[31mred\r\nforged line\tand a tab");
        var longLine = JobLogLine.Create(DateTimeOffset.UnixEpoch, 1, new string('x', JobLogLine.MaxLength + 10));

        Assert.Equal("a [31mred  forged line\tand a tab", line.Message);
        Assert.Equal(JobLogLine.MaxLength, longLine.Message.Length);
        Assert.EndsWith("…", longLine.Message, StringComparison.Ordinal);
    }
}
