using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

[Collection(nameof(SharedClusterCollection))]
public sealed class WorkerLifecycleTests(SharedCluster shared)
{
    private WorkersCluster C => shared.Cluster;

    private static WorkerDefinition Definition(string name, string queue, string processor = "test") =>
        new() { Name = name, QueueName = queue, Processor = processor, Version = "1.2.3", Concurrency = 3 };

    [Fact]
    public async Task Create_StoresTheDefinitionStopped_AndIndexesIt()
    {
        var info = await C.Worker("life-create").Create(Definition("life-create", "q-life-create"));

        Assert.Equal(WorkerStatus.Stopped, info.Status);
        Assert.Equal("1.2.3", info.Definition.Version);
        var entry = (await C.Client.GetGrain<IWorkerRegistryGrain>(0).List(false)).Single(w => w.Name == "life-create");
        Assert.Equal("q-life-create", entry.QueueName);
        Assert.Equal(3, entry.Concurrency);

        var again = await Assert.ThrowsAsync<WorkersException>(() => C.Worker("life-create").Create(Definition("life-create", "q-other")));
        Assert.Equal(WorkersErrorCodes.WorkerExists, again.Code);
    }

    [Theory]
    [InlineData("ab", "q-valid", "1.0.0", WorkersErrorCodes.InvalidWorkerName)]
    [InlineData("good-name", "q bad", "1.0.0", WorkersErrorCodes.InvalidQueueName)]
    [InlineData("good-name", "q-valid", "1.0", WorkersErrorCodes.InvalidVersion)]
    public async Task Create_RejectsInvalidDefinitions_WithStableCodes(string name, string queue, string version, string code)
    {
        var error = await Assert.ThrowsAsync<WorkersException>(() => C.Worker(name).Create(Definition(name, queue) with { Version = version }));
        Assert.Equal(code, error.Code);
        Assert.Null(await C.Worker(name).Get());
    }

    [Fact]
    public async Task InactiveWorker_NeverStarts_AndIsHiddenFromDefaultListings()
    {
        await C.Worker("life-inactive").Create(Definition("life-inactive", "q-life-inactive") with { ActiveStatus = false });

        var error = await Assert.ThrowsAsync<WorkersException>(() => C.Worker("life-inactive").Start());

        Assert.Equal(WorkersErrorCodes.WorkerInactive, error.Code);
        var registry = C.Client.GetGrain<IWorkerRegistryGrain>(0);
        Assert.DoesNotContain(await registry.List(false), w => w.Name == "life-inactive");
        Assert.Contains(await registry.List(true), w => w.Name == "life-inactive");
    }

    [Fact]
    public async Task UnknownProcessor_FailsTheStart_WithTheReason()
    {
        await C.Worker("life-noproc").Create(Definition("life-noproc", "q-life-noproc", processor: "missing-processor"));

        var error = await Assert.ThrowsAsync<WorkersException>(() => C.Worker("life-noproc").Start());

        Assert.Equal(WorkersErrorCodes.ProcessorNotFound, error.Code);
        var info = await C.Worker("life-noproc").Get();
        Assert.Equal(WorkerStatus.Failed, info!.Status);
        Assert.Contains("missing-processor", info.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_LetsInFlightJobsFinish()
    {
        var worker = await C.StartWorker("life-drain", "q-life-drain");
        var ack = await C.Enqueue("q-life-drain", new TestJob { SleepMs = 400 });
        await Eventually.True(() => C.Ledger.StartsOf(ack.JobId) == 1, "the job started");

        var info = await worker.Stop();

        Assert.Equal(WorkerStatus.Stopped, info.Status);
        Assert.Equal(JobState.Completed, (await C.Queue("q-life-drain").GetJob(ack.JobId))!.State);
    }

    [Fact]
    public async Task Stop_AfterTheDrainTimeout_HandsUnfinishedJobsBackToTheQueue()
    {
        var worker = await C.StartWorker("life-handback", "q-life-handback", drain: TimeSpan.FromMilliseconds(200));
        var ack = await C.Enqueue("q-life-handback", new TestJob { SleepMs = -1 });
        await Eventually.True(() => C.Ledger.StartsOf(ack.JobId) == 1, "the job started");

        await worker.Stop();

        var job = await C.Queue("q-life-handback").GetJob(ack.JobId);
        Assert.Equal(JobState.Waiting, job!.State);
        Assert.Equal(0, job.Attempt);
        Assert.Equal(JobCancellationReason.Shutdown, C.Ledger.For(ack.JobId)[0].CancelledBecause);
        Assert.Equal(CancelResult.Cancelled, await C.Queue("q-life-handback").Cancel(ack.JobId));
    }

    [Fact]
    public async Task Restart_StartsANewGeneration_AndKeepsProcessing()
    {
        var worker = await C.StartWorker("life-restart", "q-life-restart");
        var before = (await worker.Get())!.Generation;

        var info = await worker.Restart();

        Assert.Equal(WorkerStatus.Running, info.Status);
        Assert.Equal(before + 1, info.Generation);
        var ack = await C.Enqueue("q-life-restart", new TestJob());
        await C.WaitForState("q-life-restart", ack.JobId, JobState.Completed);
        var status = await worker.GetStatus();
        Assert.All(status.Replicas, r => Assert.Equal(info.Generation, r.Generation));
    }

    [Fact]
    public async Task Update_OfTheQueue_RestartsOnTheNewQueue()
    {
        var worker = await C.StartWorker("life-move", "q-life-move-a");

        var info = await worker.Update(new WorkerUpdate { QueueName = "q-life-move-b", Version = "2.0.0" });

        Assert.Equal("q-life-move-b", info.Definition.QueueName);
        Assert.Equal("2.0.0", info.Definition.Version);
        var ack = await C.Enqueue("q-life-move-b", new TestJob());
        await C.WaitForState("q-life-move-b", ack.JobId, JobState.Completed);
    }

    [Fact]
    public async Task Delete_StopsTheWorker_AndRemovesIt()
    {
        var worker = await C.StartWorker("life-delete", "q-life-delete");

        await worker.Delete();

        Assert.Null(await worker.Get());
        Assert.DoesNotContain(await C.Client.GetGrain<IWorkerRegistryGrain>(0).List(true), w => w.Name == "life-delete");
        var error = await Assert.ThrowsAsync<WorkersException>(() => worker.Start());
        Assert.Equal(WorkersErrorCodes.WorkerNotFound, error.Code);
    }

    [Fact]
    public async Task Status_ReportsCountsAndQueueDepth()
    {
        var worker = await C.StartWorker("life-status", "q-life-status");
        var ok = await C.Enqueue("q-life-status", new TestJob());
        var bad = await C.Enqueue("q-life-status", new TestJob { Unrecoverable = true });
        await C.WaitForState("q-life-status", ok.JobId, JobState.Completed);
        await C.WaitForState("q-life-status", bad.JobId, JobState.Failed);

        var status = await Eventually.Get(worker.GetStatus, s => s.Completed == 1 && s.Failed == 1, "one completed and one failed counted");

        Assert.Equal(WorkerStatus.Running, status.Worker.Status);
        Assert.Equal(1, status.Queue!.Failed);
        Assert.Equal(1, status.Queue.Completed);
        Assert.Single(status.Replicas);
    }
}
