using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>A data subject's erasure: every job naming the subject, in every state, loses its personal data; nobody else's
/// jobs change.</summary>
public sealed class SubjectErasureTests
{
    [Fact]
    public async Task EraseSubject_CancelsAnonymisesAndDeletes_TheSubjectsJobs_InEveryState_AndLeavesOthersAlone()
    {
        var store = new RecordingJobStore();
        await using var c = await WorkersCluster.StartAsync(silos: 1, store: store);
        await c.StartWorker("gdpr-worker", "q-gdpr", concurrency: 1, jobOptions: new JobOptions { Attempts = 1 });
        var queue = c.Queue("q-gdpr");
        Task<EnqueueResult> Enqueue(string subject, TestJob job, TimeSpan? delay = null) => queue.Enqueue(new EnqueueRequest
        {
            Payload = ExecutionLedger.Payload(job with { Tag = $"{subject}-secret" }),
            Headers = new Dictionary<string, string> { [JobHeaders.DataSubject] = subject, ["tenant"] = "acme" },
            Delay = delay,
        });

        var completed = await Enqueue("alice", new TestJob());
        await c.WaitForState("q-gdpr", completed.JobId, JobState.Completed);
        var dead = await Enqueue("alice", new TestJob { FailTimes = 1 });
        await c.WaitForState("q-gdpr", dead.JobId, JobState.Failed);
        var running = await Enqueue("alice", new TestJob { SleepMs = -1 });
        await c.WaitForState("q-gdpr", running.JobId, JobState.Active);
        var waiting = await Enqueue("alice", new TestJob());
        var delayed = await Enqueue("alice", new TestJob(), TimeSpan.FromHours(1));
        var bob = await Enqueue("bob", new TestJob(), TimeSpan.FromHours(1));

        var erased = await c.Client.GetGrain<IComplianceGrain>(0).EraseSubject("alice");

        Assert.Equal(new SubjectErasure { Queues = 1, Jobs = 5, Cancelled = 3, Anonymised = 4, Deleted = 1 }, erased);
        Assert.Null(await queue.GetJob(dead.JobId));
        foreach (var id in new[] { completed.JobId, running.JobId, waiting.JobId, delayed.JobId })
        {
            var job = (await queue.GetJob(id))!;
            Assert.Equal("null", job.Payload);
            Assert.DoesNotContain("alice", job.Result ?? "", StringComparison.Ordinal);
            Assert.Null(job.Error);
            Assert.Null(job.Logs);
            Assert.Equal(new Dictionary<string, string> { ["tenant"] = "acme" }, job.Headers);
            Assert.Equal(id == completed.JobId ? JobState.Completed : JobState.Cancelled, job.State);
            Assert.Equal("null", store.History(id)[^1].Payload);
        }

        var kept = (await queue.GetJob(bob.JobId))!;
        Assert.Contains("bob-secret", kept.Payload, StringComparison.Ordinal);
        Assert.Equal("bob", kept.Headers![JobHeaders.DataSubject]);
        Assert.Equal(JobState.Delayed, kept.State);
        var stored = await store.LoadJobsAsync("q-gdpr", [dead.JobId], TestContext.Current.CancellationToken);
        Assert.Null(stored[0]);

        // The running attempt's token fired: it ended, and its late outcome did not bring the data back.
        await Eventually.True(() => c.Ledger.For(running.JobId).All(e => e.CancelledBecause is not null), "the cancelled attempt's token fires");
        Assert.Equal("null", (await queue.GetJob(running.JobId))!.Payload);
    }

    [Fact]
    public async Task EraseSubject_ReachesJobsWhoseRecordsOnlyTheStoreHolds_AndSurvivesAReload()
    {
        var store = new RecordingJobStore();
        var ids = new List<string>();
        await using (var c = await WorkersCluster.StartAsync(silos: 1, store: store))
        {
            var queue = c.Queue("q-gdpr-deep");
            await queue.Pause();
            for (int i = 0; i < 700; i++)
            {
                var subject = i % 7 == 0 ? "carol" : "dave";
                var ack = await queue.Enqueue(new EnqueueRequest { Payload = $$"""{"n":{{i}},"who":"{{subject}}"}""", Headers = new Dictionary<string, string> { [JobHeaders.DataSubject] = subject } });
                if (subject == "carol")
                {
                    ids.Add(ack.JobId);
                }
            }
        }

        await using var again = await WorkersCluster.StartAsync(silos: 1, store: store);
        var erased = await again.Client.GetGrain<IComplianceGrain>(0).EraseSubject("carol");
        Assert.Equal(100, erased.Jobs);
        Assert.Equal(100, erased.Cancelled);
        Assert.Equal(100, erased.Anonymised);
        Assert.Equal(600, (await again.Queue("q-gdpr-deep").GetStats()).Waiting);
        Assert.All(ids, id => Assert.Equal("null", store.History(id)[^1].Payload));
        Assert.Equal(SubjectErasure.None, await again.Client.GetGrain<IComplianceGrain>(0).EraseSubject("nobody"));
    }
}
