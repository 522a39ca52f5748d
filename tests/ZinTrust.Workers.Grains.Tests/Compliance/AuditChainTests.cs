using System.Security.Cryptography;
using System.Text;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The audit log's hash chain: the canonical form, the hash, and what a chain walk catches.</summary>
public sealed class AuditChainTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static AuditRecord Entry(int i) => new()
    {
        Actor = "ops-team",
        Role = "operator",
        Action = "workers.start",
        Target = $"worker-{i}",
        Outcome = AuditOutcomes.Success,
        At = T0.AddSeconds(i),
        ClientAddress = "10.0.0.7",
        CorrelationId = "4bf92f3577b34da6a3ce929d0e0e4736",
        Details = new Dictionary<string, string> { ["status"] = "200", ["method"] = "POST" },
    };

    private static List<AuditRecord> Chain(int count)
    {
        var chain = new List<AuditRecord>();
        long sequence = 0;
        string hash = AuditChain.Genesis;
        for (int i = 1; i <= count; i++)
        {
            var record = AuditChain.Link(Entry(i), sequence, hash);
            chain.Add(record);
            sequence = record.Sequence;
            hash = record.Hash;
        }

        return chain;
    }

    private static AuditVerification Walk(IEnumerable<AuditRecord> records, long headSequence, string headHash)
    {
        var verifier = new AuditChainVerifier(1, AuditChain.Genesis);
        foreach (var record in records)
        {
            if (!verifier.Add(record))
            {
                break;
            }
        }

        verifier.End(headSequence, headHash);
        return verifier.Result();
    }

    [Fact]
    public void Canonical_IsTheDocumentedJson_InItsFixedOrder_WithSortedDetails_AndOnlyTheRequiredEscapes()
    {
        var record = AuditChain.Link(Entry(1) with { Target = "a\"b\\c\nd é", Role = null }, 0, AuditChain.Genesis);

        var text = Encoding.UTF8.GetString(AuditChain.Canonical(record));

        Assert.Equal(
            "{\"v\":1,\"seq\":1,\"prev\":\"" + AuditChain.Genesis + "\",\"at\":\"2026-05-01T12:00:01.0000000Z\",\"actor\":\"ops-team\",\"role\":null,"
            + "\"action\":\"workers.start\",\"target\":\"a\\\"b\\\\c\\u000ad é\",\"outcome\":\"success\",\"client\":\"10.0.0.7\","
            + "\"correlation\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"details\":{\"method\":\"POST\",\"status\":\"200\"}}",
            text);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), record.Hash);
    }

    [Fact]
    public void Link_ChainsEachRecordToThePreviousHash_FromTheGenesis()
    {
        var chain = Chain(3);

        Assert.Equal([1L, 2L, 3L], chain.Select(r => r.Sequence));
        Assert.Equal(AuditChain.Genesis, chain[0].PreviousHash);
        Assert.Equal(chain[0].Hash, chain[1].PreviousHash);
        Assert.Equal(chain[1].Hash, chain[2].PreviousHash);
        Assert.Equal(64, chain[2].Hash.Length);
        Assert.Equal(chain[2].Hash, AuditChain.ComputeHash(chain[2]));
    }

    [Fact]
    public void Parse_ReadsTheCanonicalFormBack_SoItHashesTheSame()
    {
        var record = Chain(1)[0];

        var parsed = AuditChain.Parse(AuditChain.Canonical(record), record.Hash);

        Assert.Equal(record.Hash, AuditChain.ComputeHash(parsed));
        Assert.Equal(record.At, parsed.At);
        Assert.Equal(record.Details, parsed.Details);
    }

    [Fact]
    public void Verify_HoldsForAnIntactChain()
    {
        var chain = Chain(5);

        Assert.Equal(new AuditVerification(true, 5, null, null), Walk(chain, 5, chain[^1].Hash));
    }

    [Fact]
    public void Verify_FindsATamperedField_AtItsRecord()
    {
        var chain = Chain(5);
        chain[2] = chain[2] with { Actor = "someone-else" };

        var result = Walk(chain, 5, chain[^1].Hash);

        Assert.False(result.Valid);
        Assert.Equal(3, result.FirstBad);
        Assert.Equal(2, result.Checked);
        Assert.Contains("changed", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_FindsATamperedRecordWhoseHashWasRecomputed_AtTheNextRecord()
    {
        var chain = Chain(5);
        var forged = chain[2] with { Outcome = AuditOutcomes.Failed };
        chain[2] = forged with { Hash = AuditChain.ComputeHash(forged) };

        var result = Walk(chain, 5, chain[^1].Hash);

        Assert.Equal(4, result.FirstBad);
    }

    [Fact]
    public void Verify_FindsADeletedRecord_AsMissing()
    {
        var chain = Chain(5);
        chain.RemoveAt(1);

        var result = Walk(chain, 5, chain[^1].Hash);

        Assert.Equal(2, result.FirstBad);
        Assert.Contains("missing", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_FindsTheNewestRecordDeleted_ByTheStoredHead()
    {
        var chain = Chain(5);
        var head = chain[^1];
        chain.RemoveAt(4);

        var result = Walk(chain, head.Sequence, head.Hash);

        Assert.Equal(5, result.FirstBad);
    }

    [Fact]
    public void Verify_FindsReorderedRecords()
    {
        var chain = Chain(5);
        (chain[1], chain[2]) = (chain[2], chain[1]);

        var result = Walk(chain, 5, chain[^1].Hash);

        Assert.False(result.Valid);
        Assert.Equal(2, result.FirstBad);
    }

    [Fact]
    public async Task InMemoryStore_RefusesAStaleEpoch_AndABatchThatDoesNotFollowTheHead()
    {
        var store = new InMemoryAuditStore();
        var ct = TestContext.Current.CancellationToken;
        var old = await store.ClaimAsync(0, ct);
        var current = await store.ClaimAsync(0, ct);
        var chain = Chain(2);

        await Assert.ThrowsAsync<AuditStoreFencedException>(() => store.AppendAsync(old.Epoch, chain, ct));
        await Assert.ThrowsAsync<AuditStoreFencedException>(() => store.AppendAsync(current.Epoch, [chain[1]], ct));
        await store.AppendAsync(current.Epoch, chain, ct);

        Assert.Equal(2, (await store.GetHeadAsync(ct)).LastSequence);
        Assert.Equal(chain, await store.ReadAsync(1, 10, ct));
    }
}
