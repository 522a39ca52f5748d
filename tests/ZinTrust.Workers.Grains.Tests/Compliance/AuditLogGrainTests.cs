using Microsoft.Extensions.DependencyInjection;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The audit log's single writer: concurrent appends from many callers make one linear chain, and it verifies.</summary>
[Collection(nameof(SharedClusterCollection))]
public sealed class AuditLogGrainTests(SharedCluster fixture)
{
    [Fact]
    public async Task ConcurrentAppends_FromEverySilo_MakeOneLinearChain_ThatVerifies()
    {
        var cluster = fixture.Cluster;
        var logs = cluster.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<IAuditLog>()).ToArray();
        var log = cluster.Client.GetGrain<IAuditLogGrain>(0);
        string actor = "grain-test-" + Guid.NewGuid().ToString("N")[..8];

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => logs[i % logs.Length].AppendAsync(new AuditEntry
        {
            Actor = actor,
            Action = "workers.start",
            Target = $"w{i}",
            Outcome = AuditOutcomes.Success,
            At = DateTimeOffset.UtcNow,
        }, TestContext.Current.CancellationToken).AsTask()));

        var page = await log.Query(new AuditQuery { Actor = actor, Limit = 1000 });
        Assert.Equal(200, page.Records.Count);
        Assert.Equal(200, page.Records.Select(r => r.Target).Distinct().Count());
        Assert.True(page.Records.Zip(page.Records.Skip(1)).All(p => p.Second.Sequence > p.First.Sequence));
        var verdict = await log.Verify(null, null);
        Assert.True(verdict.Valid, verdict.Reason);
        Assert.True(verdict.Checked >= 200);
    }
}
