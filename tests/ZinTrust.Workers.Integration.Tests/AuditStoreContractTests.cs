using StackExchange.Redis;
using ZinTrust.Workers.Grains;
using ZinTrust.Workers.Redis;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>What every audit store must do, run against each store; and tampering with the Redis stream by hand.</summary>
public sealed class AuditStoreContractTests
{
    public static TheoryData<string> Stores => ["memory", "redis"];

    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static IAuditStore Create(string kind) => kind == "memory" ? new InMemoryAuditStore() : Redis().Store;

    private static (RedisAuditStore Store, RedisAuditStoreOptions Options) Redis()
    {
        var options = new RedisAuditStoreOptions { Configuration = RealServers.Redis, KeyPrefix = $"zt-test-{Guid.NewGuid():N}" };
        return (new RedisAuditStore(new RedisConnection(new RedisJobStoreOptions { Configuration = options.Configuration }), options), options);
    }

    private static List<AuditRecord> Link(AuditHead head, int count, int from = 0)
    {
        var records = new List<AuditRecord>();
        long sequence = head.LastSequence;
        string hash = head.LastHash;
        for (int i = from; i < from + count; i++)
        {
            var record = AuditChain.Link(new AuditRecord
            {
                Actor = "ops-team",
                Role = "admin",
                Action = "workers.update",
                Target = $"worker-{i}",
                Outcome = AuditOutcomes.Success,
                At = T0.AddDays(i),
                Details = new Dictionary<string, string> { ["status"] = "200" },
            }, sequence, hash);
            records.Add(record);
            sequence = record.Sequence;
            hash = record.Hash;
        }

        return records;
    }

    private static async Task<AuditVerification> Walk(IAuditStore store)
    {
        var head = await store.GetHeadAsync(TestContext.Current.CancellationToken);
        var verifier = new AuditChainVerifier(head.AnchorSequence + 1, head.AnchorHash);
        foreach (var record in await store.ReadAsync(head.AnchorSequence + 1, 10_000, TestContext.Current.CancellationToken))
        {
            if (!verifier.Add(record))
            {
                break;
            }
        }

        verifier.End(head.LastSequence, head.LastHash);
        return verifier.Result();
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task AppendedRecords_ReadBackExactly_InSequenceOrder_AndTheHeadFollows(string kind)
    {
        var store = Create(kind);
        var ct = TestContext.Current.CancellationToken;
        var head = await store.ClaimAsync(0, ct);
        var first = Link(head, 3);
        await store.AppendAsync(head.Epoch, first, ct);
        var second = Link(await store.GetHeadAsync(ct), 2, 3);
        await store.AppendAsync(head.Epoch, second, ct);

        var read = await store.ReadAsync(2, 3, ct);

        Assert.Equal([2L, 3L, 4L], read.Select(r => r.Sequence));
        Assert.Equal(first[1].Hash, read[0].Hash);
        Assert.Equal(AuditChain.ComputeHash(first[1]), AuditChain.ComputeHash(read[0]));
        Assert.Equal(first[1].At, read[0].At);
        Assert.Equal("200", read[0].Details!["status"]);
        var stored = await store.GetHeadAsync(ct);
        Assert.Equal((5L, second[^1].Hash), (stored.LastSequence, stored.LastHash));
        Assert.True((await Walk(store)).Valid);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ASecondWriter_FencesTheFirst_SoTheChainCannotFork(string kind)
    {
        var store = Create(kind);
        var ct = TestContext.Current.CancellationToken;
        var first = await store.ClaimAsync(0, ct);
        await store.AppendAsync(first.Epoch, Link(first, 1), ct);
        var second = await store.ClaimAsync(0, ct);

        // The first writer chained its next record to the head it knew; the second claimed since.
        var stale = Link(await store.GetHeadAsync(ct), 1, 1);
        await Assert.ThrowsAsync<AuditStoreFencedException>(() => store.AppendAsync(first.Epoch, stale, ct));
        await store.AppendAsync(second.Epoch, Link(second, 1, 1), ct);
        // A batch chained to an old head is refused even with the current epoch.
        await Assert.ThrowsAsync<AuditStoreFencedException>(() => store.AppendAsync(second.Epoch, Link(first, 1, 5), ct));

        Assert.Equal(2, (await store.GetHeadAsync(ct)).LastSequence);
        Assert.True((await Walk(store)).Valid);
        Assert.True(second.Epoch > first.Epoch);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Trim_RemovesTheOldest_AndTheChainVerifiesFromItsAnchor(string kind)
    {
        var store = Create(kind);
        var ct = TestContext.Current.CancellationToken;
        var head = await store.ClaimAsync(0, ct);
        var records = Link(head, 6);
        await store.AppendAsync(head.Epoch, records, ct);

        Assert.Equal(3, await store.TrimAsync(head.Epoch, 4, ct));

        var after = await store.GetHeadAsync(ct);
        Assert.Equal((3L, records[2].Hash), (after.AnchorSequence, after.AnchorHash));
        Assert.Equal([4L, 5L, 6L], (await store.ReadAsync(1, 10, ct)).Select(r => r.Sequence));
        Assert.True((await Walk(store)).Valid);
        var newer = await store.ClaimAsync(0, ct);
        await Assert.ThrowsAsync<AuditStoreFencedException>(() => store.TrimAsync(head.Epoch, 6, ct));
        Assert.Equal(0, await store.TrimAsync(newer.Epoch, 2, ct));
    }

    [Fact]
    public async Task Redis_AnEntryEditedInTheStream_IsFoundByTheWalk()
    {
        var (store, _) = Redis();
        var ct = TestContext.Current.CancellationToken;
        var head = await store.ClaimAsync(0, ct);
        await store.AppendAsync(head.Epoch, Link(head, 5), ct);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RealServers.Redis);
        var db = redis.GetDatabase();

        // Rewrite the stream as an intruder would: the same ids, record 3's outcome changed.
        var entries = await db.StreamRangeAsync(store.LogKey, "-", "+");
        await db.KeyDeleteAsync(store.LogKey);
        foreach (var entry in entries)
        {
            var canonical = entry["c"].ToString();
            if (entry.Id == "3-0")
            {
                canonical = canonical.Replace("\"outcome\":\"success\"", "\"outcome\":\"failed\"", StringComparison.Ordinal);
            }

            await db.StreamAddAsync(store.LogKey, [new NameValueEntry("c", canonical), new NameValueEntry("h", entry["h"])], entry.Id);
        }

        var verdict = await Walk(store);
        Assert.False(verdict.Valid);
        Assert.Equal(3, verdict.FirstBad);
    }

    [Fact]
    public async Task Redis_AnEntryDeletedFromTheStream_IsFoundByTheWalk()
    {
        var (store, _) = Redis();
        var ct = TestContext.Current.CancellationToken;
        var head = await store.ClaimAsync(0, ct);
        await store.AppendAsync(head.Epoch, Link(head, 5), ct);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RealServers.Redis);
        var db = redis.GetDatabase();

        await db.StreamDeleteAsync(store.LogKey, ["2-0"]);

        var verdict = await Walk(store);
        Assert.False(verdict.Valid);
        Assert.Equal(2, verdict.FirstBad);
    }
}
