using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>What every job store must do, run against each store.</summary>
public sealed class JobStoreContractTests
{
    public static TheoryData<string> Stores => ["memory", "redis"];

    private static IJobStore Create(string kind) => kind == "memory" ? new InMemoryJobStore() : RealServers.RedisStore().Store;

    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static JobRecord Job(string id, JobState state = JobState.Waiting) => new()
    {
        Id = id,
        Queue = "q-round",
        Payload = """{"to":"ada@example.com","n":[1,2,3]}""",
        State = state,
        Sequence = 7,
        Priority = JobPriority.High,
        Backoff = new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.FromSeconds(3), Jitter = 0.5 },
        Timeout = TimeSpan.FromSeconds(42),
        CreatedAt = T0,
        UpdatedAt = T0,
        RunAt = T0.AddMinutes(5),
        IdempotencyKey = "k-" + id,
        LeaseToken = 3,
    };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task EmptyQueue_LoadsEmpty(string kind)
    {
        var snapshot = await Create(kind).LoadAsync("q-" + Guid.NewGuid().ToString("N")[..8], 0, TestContext.Current.CancellationToken);

        Assert.Empty(snapshot.Jobs);
        Assert.Null(snapshot.Metadata);
        Assert.True(snapshot.Epoch > 0);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task CommittedRecords_AndMetadata_RoundTripExactly(string kind)
    {
        var store = Create(kind);
        var ct = TestContext.Current.CancellationToken;
        var first = await store.LoadAsync("q-round", 0, ct);
        var meta = new QueueMetadata(true, new JobOptions { Attempts = 9, RetainCompleted = 5 });

        await store.CommitAsync("q-round", first.Epoch, new JobStoreBatch([Job("a"), Job("b", JobState.Delayed)], [], meta), ct);
        await store.CommitAsync("q-round", first.Epoch, new JobStoreBatch([Job("a", JobState.Active) with { Attempt = 1 }], ["b"], null), ct);

        var second = await store.LoadAsync("q-round", 0, ct);
        var job = Assert.Single(second.Jobs);
        Assert.Equal(Job("a", JobState.Active) with { Attempt = 1 }, job);
        Assert.Equal(meta, second.Metadata);
        Assert.True(second.Epoch > first.Epoch);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task APartitionsKey_IsAQueueOfItsOwn_WhoseRecordsNameThePartitionedQueue(string kind)
    {
        var store = Create(kind);
        var ct = TestContext.Current.CancellationToken;
        string queue = "q-parts-" + Guid.NewGuid().ToString("N")[..8];
        string key = QueuePartitions.GrainKey(queue, 3);
        var snapshot = await store.LoadAsync(key, 0, ct);
        var job = Job(QueuePartitions.JobId("a", 3)) with { Queue = queue };
        await store.CommitAsync(key, snapshot.Epoch, new JobStoreBatch([job], [], new QueueMetadata(false, new JobOptions { Partitions = 4 })), ct);

        Assert.Equal(job, Assert.Single((await store.LoadAsync(key, 0, ct)).Jobs));
        Assert.Equal([job], await store.LoadJobsAsync(key, [job.Id], ct));
        Assert.Empty((await store.LoadAsync(queue, 0, ct)).Jobs);   // partition 0 (the queue's own key) holds none of it
        Assert.True(await store.ExistsAsync(key, ct));
        Assert.Contains(key, await store.ListQueuesAsync(ct));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task LoadJobs_ReturnsTheLatestRecords_InTheOrderAsked_WithNullForUnknownIds(string kind)
    {
        var store = Create(kind);
        var ct = TestContext.Current.CancellationToken;
        string queue = "q-some-" + Guid.NewGuid().ToString("N")[..8];
        var snapshot = await store.LoadAsync(queue, 0, ct);
        var a = Job("a") with { Queue = queue };
        var b = Job("b", JobState.Delayed) with { Queue = queue };
        var c = Job("c") with { Queue = queue };
        await store.CommitAsync(queue, snapshot.Epoch, new JobStoreBatch([a, b, c], [], null), ct);
        var activeA = a with { State = JobState.Active, Attempt = 1, LeaseToken = 4 };
        await store.CommitAsync(queue, snapshot.Epoch, new JobStoreBatch([activeA], ["c"], null), ct);

        var found = await store.LoadJobsAsync(queue, ["b", "missing", "a", "c"], ct);

        Assert.Equal([b, null, activeA, null], found);
        Assert.Empty(await store.LoadJobsAsync(queue, [], ct));
        Assert.Equal([null], await store.LoadJobsAsync("q-none-" + Guid.NewGuid().ToString("N")[..8], ["a"], ct));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task LoadJobs_ClaimsNothing_SoTheOwnersWritesStillApply(string kind)
    {
        var store = Create(kind);
        var ct = TestContext.Current.CancellationToken;
        string queue = "q-claim-" + Guid.NewGuid().ToString("N")[..8];
        var owner = await store.LoadAsync(queue, 0, ct);
        var job = Job("a") with { Queue = queue };
        await store.CommitAsync(queue, owner.Epoch, new JobStoreBatch([job], [], null), ct);

        Assert.Equal([job], await store.LoadJobsAsync(queue, ["a"], ct));
        await store.CommitAsync(queue, owner.Epoch, new JobStoreBatch([], ["a"], null), ct);

        Assert.Equal([null], await store.LoadJobsAsync(queue, ["a"], ct));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task StaleEpoch_IsFenced_AndItsBatchAppliesNothing(string kind)
    {
        var store = Create(kind);
        var ct = TestContext.Current.CancellationToken;
        var old = await store.LoadAsync("q-fence", 0, ct);
        var current = await store.LoadAsync("q-fence", 0, ct);

        await Assert.ThrowsAsync<JobStoreFencedException>(() => store.CommitAsync("q-fence", old.Epoch, new JobStoreBatch([Job("zombie")], [], null), ct));
        await store.CommitAsync("q-fence", current.Epoch, new JobStoreBatch([Job("real")], [], null), ct);

        var after = await store.LoadAsync("q-fence", 0, ct);
        Assert.Equal(["real"], after.Jobs.Select(j => j.Id));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task LargeBatch_IsAppliedWhole(string kind)
    {
        var store = Create(kind);
        var ct = TestContext.Current.CancellationToken;
        var snapshot = await store.LoadAsync("q-large", 0, ct);
        var jobs = Enumerable.Range(0, 5000).Select(i => Job($"j{i}")).ToArray();
        var keys = jobs.Select(j => new IdempotencyKeyRecord { Key = j.IdempotencyKey!, JobId = j.Id, Fingerprint = 1, CreatedAt = T0 }).ToArray();

        await store.CommitAsync("q-large", snapshot.Epoch, new JobStoreBatch(jobs, [], null) { KeyUpserts = keys }, ct);
        await store.CommitAsync("q-large", snapshot.Epoch, new JobStoreBatch([], jobs.Take(2500).Select(j => j.Id).ToArray(), null) { KeyDeletes = keys.Take(1000).Select(k => k.Key).ToArray() }, ct);

        var after = await store.LoadAsync("q-large", 0, ct);
        Assert.Equal(2500, after.Jobs.Count);
        Assert.Equal(4000, after.Keys.Count);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Claim_IsAboveTheStoredEpoch_AndAtLeastTheFloor_SoEpochsGrowWhenAnIncrementWasLost(string kind)
    {
        var store = Create(kind);
        var ct = TestContext.Current.CancellationToken;
        string queue = "q-floor-" + Guid.NewGuid().ToString("N")[..8];
        long floor = 1_764_000_000_000_000;   // microseconds of 2025-11-24: the scale of the queue grain's time-based floors

        var first = await store.LoadAsync(queue, 0, ct);
        var floored = await store.LoadAsync(queue, floor, ct);
        var next = await store.LoadAsync(queue, 0, ct);
        var below = await store.LoadAsync(queue, floor - 5, ct);

        Assert.Equal(floor, floored.Epoch);
        Assert.True(floored.Epoch > first.Epoch);
        Assert.Equal(floor + 1, next.Epoch);
        Assert.Equal(floor + 2, below.Epoch);
        await store.CommitAsync(queue, below.Epoch, new JobStoreBatch([Job("a") with { Queue = queue }], [], null), ct);
        await Assert.ThrowsAsync<JobStoreFencedException>(() => store.CommitAsync(queue, next.Epoch, new JobStoreBatch([Job("b") with { Queue = queue }], [], null), ct));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task IdempotencyKeys_AreStoredBesideTheJobs_AndOutliveThem(string kind)
    {
        var store = Create(kind);
        var ct = TestContext.Current.CancellationToken;
        string queue = "q-keys-" + Guid.NewGuid().ToString("N")[..8];
        var owner = await store.LoadAsync(queue, 0, ct);
        var job = Job("a") with { Queue = queue, IdempotencyKey = "order-42" };
        var key = new IdempotencyKeyRecord { Key = "order-42", JobId = "a", Fingerprint = -77, CreatedAt = T0 };
        var other = new IdempotencyKeyRecord { Key = "order-43", JobId = "b", Fingerprint = 5, CreatedAt = T0 };
        await store.CommitAsync(queue, owner.Epoch, new JobStoreBatch([job], [], null) { KeyUpserts = [key, other] }, ct);

        var ended = key with { FinalState = JobState.Completed };
        await store.CommitAsync(queue, owner.Epoch, new JobStoreBatch([], ["a"], null) { KeyUpserts = [ended], KeyDeletes = ["order-43"] }, ct);

        var reloaded = await store.LoadAsync(queue, 0, ct);
        Assert.Empty(reloaded.Jobs);
        Assert.Equal([ended], reloaded.Keys);
        Assert.True(await store.ExistsAsync(queue, ct));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Exists_IsFalseForAQueueThatHoldsNothing_EvenOnceClaimed_AndCreatesNothing(string kind)
    {
        var store = Create(kind);
        var ct = TestContext.Current.CancellationToken;
        string queue = "q-exists-" + Guid.NewGuid().ToString("N")[..8];

        Assert.False(await store.ExistsAsync(queue, ct));
        var owner = await store.LoadAsync(queue, 0, ct);
        Assert.False(await store.ExistsAsync(queue, ct));
        await store.CommitAsync(queue, owner.Epoch, new JobStoreBatch([Job("a") with { Queue = queue }], [], null), ct);
        Assert.True(await store.ExistsAsync(queue, ct));
        await store.CommitAsync(queue, owner.Epoch, new JobStoreBatch([], ["a"], null), ct);
        Assert.False(await store.ExistsAsync(queue, ct));
        Assert.False(await store.ExistsAsync("q-never-" + Guid.NewGuid().ToString("N")[..8], ct));
    }
}
