using StackExchange.Redis;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;
using ZinTrust.Workers.Redis;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>
/// The Redis job store on a 3-master Redis Cluster (<c>infra/redis-cluster.sh</c>, ZT_TEST_REDIS_CLUSTER): queues spread over
/// the masters (one queue = one hash slot), a live queue's slot resharded under writers and readers, and a master restarted
/// mid-run, each with a ledger that must show nothing acknowledged lost. The tests of this class run one after another (one
/// class): the resharding and the restart change the shared cluster, which only these tests use.
/// </summary>
/// <remarks>
/// Windows, as measured here and said in docs/operations.md: while a queue's slot migrates, a batch that finds the queue's keys
/// partly moved (or partly absent) is answered TRYAGAIN before it runs and the store tries it again (up to
/// SlotMigrationRetryTimeout); the client follows ASK and MOVED by itself. While a master is down, batches and loads of its
/// queues fail (not acknowledged; a failed batch may or may not have been applied: the next claim reads what was) and the other
/// masters' queues go on; the master comes back with everything its AOF had (SHUTDOWN fsyncs it; a host crash could lose up to
/// the last second with appendfsync everysec).
/// </remarks>
public sealed class RedisClusterJobStoreTests
{
    [Fact]
    public async Task Queues_SpreadOverAllThreeMasters_EachQueuesKeysInOneSlot_AndTheJobPathWorks()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await RealRedisCluster.ConnectAsync();
        var (store, options) = Store(o => o.ScanPageSize = 4);
        try
        {
            var masters = await cluster.MastersAsync();
            Assert.Equal(3, masters.Count);
            var queues = await SpreadAsync(cluster, options.KeyPrefix, perMaster: 3);
            foreach (var queue in queues)
            {
                var keys = Keys(options.KeyPrefix, queue);
                Assert.Single(keys.Select(cluster.SlotOf).Distinct());
            }

            var epochs = new Dictionary<string, long>();
            foreach (var queue in queues)
            {
                var first = await store.LoadAsync(queue, 0, ct);
                Assert.Empty(first.Jobs);
                epochs[queue] = first.Epoch;
                var meta = new QueueMetadata(false, new JobOptions { Attempts = 3 });
                var key = new IdempotencyKeyRecord { Key = "k-" + queue, JobId = queue + "-gone", CreatedAt = DateTimeOffset.UnixEpoch };
                await store.CommitAsync(queue, first.Epoch, new JobStoreBatch([.. Enumerable.Range(0, 10).Select(i => Job(queue, i, JobState.Waiting))], [], meta) { KeyUpserts = [key] }, ct);
                await store.CommitAsync(queue, first.Epoch, new JobStoreBatch([.. Enumerable.Range(0, 5).Select(i => Job(queue, i, JobState.Active))], [], null), ct);
                await store.CommitAsync(queue, first.Epoch, new JobStoreBatch([.. Enumerable.Range(0, 3).Select(i => Job(queue, i, JobState.Completed))], [Id(queue, 9)], null), ct);
            }

            foreach (var queue in queues)
            {
                // Every key of the queue is on the master that owns its slot, and only there.
                var owner = await cluster.OwnerAsync(Keys(options.KeyPrefix, queue)[0]);
                foreach (var key in Keys(options.KeyPrefix, queue))
                {
                    Assert.True(await cluster.HoldsAsync(owner, key), $"{owner.EndPoint} holds {key}");
                }

                // A new activation (another store, as on another silo) reads it all back, and fences the first.
                var (again, _) = Store(o => o.ScanPageSize = 4, options.KeyPrefix);
                var snapshot = await again.LoadAsync(queue, 0, ct);
                Assert.True(snapshot.Epoch > epochs[queue]);
                Assert.Equal(9, snapshot.Jobs.Count);
                Assert.Equal(3, snapshot.Jobs.Count(j => j.State == JobState.Completed));
                Assert.Equal(2, snapshot.Jobs.Count(j => j.State == JobState.Active));
                Assert.Equal(4, snapshot.Jobs.Count(j => j.State == JobState.Waiting));
                Assert.Equal(3, snapshot.Metadata?.Policy.Attempts);
                Assert.Equal("k-" + queue, Assert.Single(snapshot.Keys).Key);
                await Assert.ThrowsAsync<JobStoreFencedException>(() => store.CommitAsync(queue, epochs[queue], new JobStoreBatch([Job(queue, 99, JobState.Waiting)], [], null), ct));
                Assert.Equal([JobState.Active, null], (await again.LoadJobsAsync(queue, [Id(queue, 3), Id(queue, 9)], ct)).Select(j => j?.State));
                Assert.True(await again.ExistsAsync(queue, ct));
                Assert.Equal(9, await again.CountAsync(queue, ct));
            }

            // The sweep's list scans every master.
            Assert.Equal(queues.Order(StringComparer.Ordinal), (await store.ListQueuesAsync(ct)).Order(StringComparer.Ordinal));
        }
        finally
        {
            await cluster.DeletePrefixAsync(options.KeyPrefix);
        }
    }

    [Fact]
    public async Task Batch_WhileItsSlotIsHalfMigrated_IsAnsweredTryAgain_AndTriedAgainUntilTheSlotIsHandedOver()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await RealRedisCluster.ConnectAsync();
        var (store, options) = Store();
        const string queue = "q-half";
        var keys = Keys(options.KeyPrefix, queue);
        int slot = cluster.SlotOf(keys[0]);
        var from = await cluster.OwnerAsync(keys[0]);
        var to = (await cluster.MastersAsync()).First(m => m.NodeId != from.NodeId);
        bool migrating = false;
        try
        {
            var claim = await store.LoadAsync(queue, 0, ct);
            await store.CommitAsync(queue, claim.Epoch, new JobStoreBatch([Job(queue, 0, JobState.Waiting)], [], null), ct);

            // The slot migrates, and the jobs hash has moved but not the epoch: the script's keys are split between two nodes.
            await cluster.BeginMigrationAsync(slot, from, to);
            migrating = true;
            await cluster.MigrateKeyAsync(from, to, keys[0]);

            // What the client does with it on its own: a multi-key call is answered TRYAGAIN (it follows only ASK and MOVED).
            var raw = await Assert.ThrowsAsync<RedisServerException>(() => cluster.Admin.GetDatabase().KeyExistsAsync([keys[0], keys[2]]));
            Assert.StartsWith("TRYAGAIN", raw.Message, StringComparison.Ordinal);

            long before = store.SlotMigrationRetries;
            var batch = store.CommitAsync(queue, claim.Epoch, new JobStoreBatch([Job(queue, 1, JobState.Waiting)], [], null), ct);
            await Eventually.True(() => store.SlotMigrationRetries > before + 1, "the batch is answered TRYAGAIN and tried again");
            Assert.False(batch.IsCompleted);

            await cluster.MoveRestOfSlotAsync(slot, from, to);
            migrating = false;
            await batch;

            Assert.Equal(to.NodeId, (await cluster.OwnerAsync(keys[0])).NodeId);
            Assert.True(await cluster.HoldsAsync(to, keys[2]), "the epoch moved with the jobs");
            var snapshot = await Store(null, options.KeyPrefix).Store.LoadAsync(queue, 0, ct);
            Assert.Equal([Id(queue, 0), Id(queue, 1)], snapshot.Jobs.Select(j => j.Id).Order(StringComparer.Ordinal));
        }
        finally
        {
            if (migrating)
            {
                await cluster.MoveRestOfSlotAsync(slot, from, to);
            }

            await cluster.DeletePrefixAsync(options.KeyPrefix);
        }
    }

    [Fact]
    public async Task Batch_WhileItsSlotStaysHalfMigrated_FailsWithTryAgain_AfterTheRetryTimeout_AndIsNotApplied()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await RealRedisCluster.ConnectAsync();
        var (store, options) = Store(o => o.SlotMigrationRetryTimeout = TimeSpan.FromMilliseconds(300));
        const string queue = "q-stuck";
        var keys = Keys(options.KeyPrefix, queue);
        int slot = cluster.SlotOf(keys[0]);
        var from = await cluster.OwnerAsync(keys[0]);
        var to = (await cluster.MastersAsync()).First(m => m.NodeId != from.NodeId);
        try
        {
            var claim = await store.LoadAsync(queue, 0, ct);
            await store.CommitAsync(queue, claim.Epoch, new JobStoreBatch([Job(queue, 0, JobState.Waiting)], [], null), ct);
            await cluster.BeginMigrationAsync(slot, from, to);
            try
            {
                var started = System.Diagnostics.Stopwatch.StartNew();
                var error = await Assert.ThrowsAsync<RedisServerException>(() => store.CommitAsync(queue, claim.Epoch, new JobStoreBatch([Job(queue, 1, JobState.Waiting)], [], null), ct));
                Assert.StartsWith("TRYAGAIN", error.Message, StringComparison.Ordinal);
                Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(300), $"it was tried again for the whole timeout (failed after {started.Elapsed})");
            }
            finally
            {
                await cluster.MoveRestOfSlotAsync(slot, from, to);
            }

            var snapshot = await Store(null, options.KeyPrefix).Store.LoadAsync(queue, 0, ct);
            Assert.Equal(Id(queue, 0), Assert.Single(snapshot.Jobs).Id);
        }
        finally
        {
            await cluster.DeletePrefixAsync(options.KeyPrefix);
        }
    }

    [Fact]
    public async Task Resharding_ALiveQueuesSlot_KeyByKey_WhileWritersAndAReaderRun_LosesNothing_AndNoBatchFails()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await RealRedisCluster.ConnectAsync();

        // Small HSCAN pages: a claim reads the hot queue in many pages, some of them across the move.
        var (store, options) = Store(o => o.ScanPageSize = 8);
        var queues = await SpreadAsync(cluster, options.KeyPrefix, perMaster: 2);
        string hot = queues[0];
        var hotKeys = Keys(options.KeyPrefix, hot);
        int slot = cluster.SlotOf(hotKeys[0]);
        var from = await cluster.OwnerAsync(hotKeys[0]);
        var to = (await cluster.MastersAsync()).First(m => m.NodeId != from.NodeId);
        var run = new JobStoreLedgerRun(store, queues);
        using var stop = new CancellationTokenSource();
        var writers = run.RunWritersAsync(queues.Count, stop.Token);
        var reader = run.RunReaderAsync(stop.Token);
        bool migrating = false;
        try
        {
            await Eventually.True(() => run.AcknowledgedOf(hot) >= 30, "the hot queue's batches flow before the resharding");
            await cluster.BeginMigrationAsync(slot, from, to);
            migrating = true;

            // Between two keys moved, the hot queue's owner tries a batch (answered TRYAGAIN, or acknowledged through ASK).
            await cluster.MoveRestOfSlotAsync(slot, from, to, async () =>
            {
                long retries = store.SlotMigrationRetries, acknowledged = run.AcknowledgedOf(hot);
                await Eventually.True(() => store.SlotMigrationRetries > retries || run.AcknowledgedOf(hot) > acknowledged, "a batch of the hot queue meets the migration");
            });
            migrating = false;
            long atHandOver = run.AcknowledgedOf(hot);
            await Eventually.True(() => run.AcknowledgedOf(hot) >= atHandOver + 30, "the hot queue's batches flow on its new master");
        }
        finally
        {
            await stop.CancelAsync();
            await writers;
            await reader;
            if (migrating)
            {
                await cluster.MoveRestOfSlotAsync(slot, from, to);
            }
        }

        try
        {
            await run.VerifyAllAsync();
            await Report(run, $"slot {slot} of a live queue moved key by key from {from.EndPoint} to {to.EndPoint}, {store.SlotMigrationRetries} TRYAGAIN retries");
            Assert.Equal(to.NodeId, (await cluster.OwnerAsync(hotKeys[0])).NodeId);
            Assert.True(await cluster.HoldsAsync(to, hotKeys[0]), "the hot queue's jobs are on the new master");
            Assert.True(store.SlotMigrationRetries > 0, "batches met the migration");
            Assert.Equal(0, run.Lost);
            Assert.Equal(0, run.Duplicated);
            Assert.Equal(0, run.StaleCommits);
            Assert.Equal(0, run.Unexpected);
            Assert.Equal(0, run.FailedBatches);
        }
        finally
        {
            await cluster.DeletePrefixAsync(options.KeyPrefix);
        }
    }

    [Fact]
    public async Task MasterRestart_MidRun_ItsQueuesFailUntilItIsBack_TheOthersGoOn_AndNothingAcknowledgedIsLost()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await RealRedisCluster.ConnectAsync();
        var (store, options) = Store(o => o.ScanPageSize = 8);
        var queues = await SpreadAsync(cluster, options.KeyPrefix, perMaster: 2);
        var victim = await cluster.OwnerAsync(Keys(options.KeyPrefix, queues[0])[0]);
        var onVictim = new List<string>();
        foreach (var queue in queues)
        {
            if ((await cluster.OwnerAsync(Keys(options.KeyPrefix, queue)[0])).NodeId == victim.NodeId)
            {
                onVictim.Add(queue);
            }
        }

        var elsewhere = queues.Except(onVictim).ToList();
        string configFile = await cluster.ConfigFileAsync(victim);
        var run = new JobStoreLedgerRun(store, queues);
        using var stop = new CancellationTokenSource();

        // One writer per queue: a batch to the stopped master waits out the client's timeout without holding up the others.
        var writers = run.RunWritersAsync(queues.Count, stop.Token);
        var reader = run.RunReaderAsync(stop.Token);
        bool down = false;
        try
        {
            await Eventually.True(() => queues.All(q => run.AcknowledgedOf(q) >= 10), "every queue's batches flow before the restart");
            await cluster.ShutdownAsync(victim);
            down = true;
            var victimAcks = onVictim.ToDictionary(q => q, run.AcknowledgedOf);

            // Calls to its queues fail (connection errors, then CLUSTERDOWN once the others flag it failed); the other masters'
            // queues go on (cluster-require-full-coverage is off, so their slots stay served).
            long failures = run.Failures;
            await Eventually.True(() => run.Failures > failures, $"calls to the queues of the stopped {victim.EndPoint} fail");
            var others = elsewhere.ToDictionary(q => q, run.AcknowledgedOf);
            await Eventually.True(() => elsewhere.All(q => run.AcknowledgedOf(q) >= others[q] + 50), "the other masters' queues go on while one master is down");
            Assert.All(onVictim, q => Assert.Equal(victimAcks[q], run.AcknowledgedOf(q)));

            await cluster.StartAsync(configFile, victim);
            down = false;
            await Eventually.True(() => onVictim.All(q => run.AcknowledgedOf(q) >= victimAcks[q] + 10), "the restarted master's queues go on", TimeSpan.FromSeconds(60));
        }
        finally
        {
            await stop.CancelAsync();
            await writers;
            await reader;
            if (down)
            {
                await cluster.StartAsync(configFile, victim);
            }
        }

        try
        {
            await run.VerifyAllAsync();
            await Report(run, $"SHUTDOWN of master {victim.EndPoint} (AOF everysec) mid-run and start again, {onVictim.Count} of {queues.Count} queues on it");
            Assert.True(run.Failures > 0, "calls to the stopped master's queues failed (the window)");
            Assert.Equal(0, run.Lost);
            Assert.Equal(0, run.Duplicated);
            Assert.Equal(0, run.StaleCommits);
            Assert.Equal(0, run.Unexpected);
        }
        finally
        {
            await cluster.DeletePrefixAsync(options.KeyPrefix);
        }
    }

    private static (RedisJobStore Store, RedisJobStoreOptions Options) Store(Action<RedisJobStoreOptions>? configure = null, string? prefix = null) =>
        RealServers.RedisStore(prefix ?? $"zt-cluster-{Guid.NewGuid():N}", RealRedisCluster.Configuration, configure);

    /// <summary>The keys the store gives a queue: jobs, meta, epoch, idempotency keys.</summary>
    private static RedisKey[] Keys(string prefix, string queue) =>
        [$"{prefix}:{{{queue}}}:jobs", $"{prefix}:{{{queue}}}:meta", $"{prefix}:{{{queue}}}:epoch", $"{prefix}:{{{queue}}}:keys"];

    /// <summary>Queue names q-0, q-1, … taken until every master owns <paramref name="perMaster"/> of them.</summary>
    private static async Task<List<string>> SpreadAsync(RealRedisCluster cluster, string prefix, int perMaster)
    {
        var masters = await cluster.MastersAsync();
        var taken = masters.ToDictionary(m => m.NodeId, _ => 0);
        var queues = new List<string>();
        for (int i = 0; taken.Values.Any(n => n < perMaster); i++)
        {
            Assert.True(i < 1000, "1000 queue names fell on fewer than three masters");
            string queue = $"q-{i}";
            var owner = await cluster.OwnerAsync(Keys(prefix, queue)[0]);
            if (taken[owner.NodeId] < perMaster)
            {
                taken[owner.NodeId]++;
                queues.Add(queue);
            }
        }

        return queues;
    }

    private static string Id(string queue, int n) => $"{queue}-{n}";

    private static JobRecord Job(string queue, int n, JobState state) => new()
    {
        Id = Id(queue, n),
        Queue = queue,
        Payload = $$"""{"n":{{n}},"pad":"{{new string('x', 120)}}"}""",
        State = state,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    private static async Task Report(JobStoreLedgerRun run, string scenario)
    {
        string ledger = run.Summary(scenario);
        TestContext.Current.SendDiagnosticMessage(ledger);
        Directory.CreateDirectory(SiloProcesses.ResultsDirectory);
        await File.AppendAllTextAsync(Path.Combine(SiloProcesses.ResultsDirectory, "fault-ledgers.txt"), ledger + Environment.NewLine, TestContext.Current.CancellationToken);
    }
}
