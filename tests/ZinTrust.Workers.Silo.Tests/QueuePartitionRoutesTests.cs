using System.Net;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>A partitioned queue through REST: jobs enqueued one by one and in batches spread and complete, each id is found in
/// its partition, the queue's stats and pages cover every partition, and a bad or locked partition count is a stable error.</summary>
[Collection(nameof(SiloCollection))]
public sealed class QueuePartitionRoutesTests(SiloFixture fixture)
{
    [Fact]
    public async Task APartitionedQueue_TakesJobsOverRest_AndAnswersForEveryPartition()
    {
        using var admin = fixture.Factory.Client(ApiRole.Admin);
        var created = await admin.PostJson("/api/workers", """{"name":"parts-worker","queueName":"q-parts","processor":"echo","concurrency":8,"jobOptions":{"partitions":4}}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(4, (await created.Json()).GetProperty("worker").GetProperty("jobOptions").GetProperty("partitions").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await admin.Post("/api/workers/parts-worker/start")).StatusCode);

        var ids = new List<string>();
        for (int i = 0; i < 20; i++)
        {
            ids.Add((await (await admin.PostJson("/api/queues/q-parts/jobs", $$$"""{"payload":{"n":{{{i}}}}}""")).Json()).Str("id"));
        }

        var batch = await (await admin.PostJson("/api/queues/q-parts/jobs", "[" + string.Join(',', Enumerable.Range(0, 20).Select(i => $$$"""{"payload":{"b":{{{i}}}}}""")) + "]")).Json();
        ids.AddRange(batch.GetProperty("jobs").EnumerateArray().Select(j => j.Str("id")));
        Assert.Equal([0, 1, 2, 3], ids.Select(QueuePartitions.PartitionOf).Distinct().Order());

        foreach (var id in ids)
        {
            await Eventually.Get(async () => await (await admin.Get($"/api/queues/q-parts/jobs/{id}")).Json(), j => j.Str("state") == "completed", $"job {id} completes");
            var late = await admin.Post($"/api/queues/q-parts/jobs/{id}/cancel");
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);   // found in its partition, and already finished
        }

        var stats = await (await admin.Get("/api/queues/q-parts")).Json();
        Assert.Equal((4, 40), (stats.GetProperty("partitions").GetInt32(), stats.GetProperty("completed").GetInt32()));
        var page = await (await admin.Get("/api/queues/q-parts/jobs?state=completed&limit=100")).Json();
        Assert.Equal(ids.Order(StringComparer.Ordinal), page.GetProperty("jobs").EnumerateArray().Select(j => j.Str("id")).Order(StringComparer.Ordinal));
        var deep = await admin.Get("/api/queues/q-parts/jobs?state=completed&offset=950&limit=100");
        Assert.Equal(HttpStatusCode.BadRequest, deep.StatusCode);
        Assert.Equal(WorkersErrorCodes.InvalidQuery, (await deep.Json()).Str("code"));

        Assert.Equal(HttpStatusCode.OK, (await admin.Post("/api/queues/q-parts/pause")).StatusCode);
        Assert.True((await (await admin.Get("/api/queues/q-parts")).Json()).GetProperty("paused").GetBoolean());
        var held = (await (await admin.PostJson("/api/queues/q-parts/jobs", """{"payload":{}}""")).Json()).Str("id");
        var locked = await admin.PatchJson("/api/workers/parts-worker", """{"jobOptions":{"partitions":2}}""");
        Assert.Equal(HttpStatusCode.Conflict, locked.StatusCode);
        Assert.Equal(WorkersErrorCodes.PartitionsLocked, (await locked.Json()).Str("code"));
        Assert.Equal(HttpStatusCode.OK, (await admin.Post("/api/queues/q-parts/resume")).StatusCode);
        await Eventually.Get(async () => await (await admin.Get($"/api/queues/q-parts/jobs/{held}")).Json(), j => j.Str("state") == "completed", "the held job runs after resume");
    }

    [Theory]
    [InlineData("0", WorkersErrorCodes.InvalidJobOptions)]
    [InlineData("65", WorkersErrorCodes.InvalidJobOptions)]
    [InlineData("-1", WorkersErrorCodes.InvalidJobOptions)]
    [InlineData("2.5", WorkersErrorCodes.InvalidBody)]
    [InlineData("\"four\"", WorkersErrorCodes.InvalidBody)]
    public async Task ABadPartitionCount_Is400_WithAStableCode(string partitions, string code)
    {
        using var admin = fixture.Factory.Client(ApiRole.Admin);
        var response = await admin.PostJson("/api/workers", $$$"""{"name":"bad-parts-worker","queueName":"q-bad-parts","processor":"echo","jobOptions":{"partitions":{{{partitions}}}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, (await response.Json()).Str("code"));
    }

    [Fact]
    public async Task AGlobalLimit_OnAPartitionedQueue_Is400()
    {
        using var admin = fixture.Factory.Client(ApiRole.Admin);
        var response = await admin.PostJson("/api/workers", """{"name":"limited-parts-worker","queueName":"q-limited-parts","processor":"echo","jobOptions":{"partitions":2,"globalConcurrency":4}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(WorkersErrorCodes.PartitionsConflict, (await response.Json()).Str("code"));
    }
}
