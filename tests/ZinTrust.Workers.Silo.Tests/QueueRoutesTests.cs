using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>The queue routes' limits: made-up names leave nothing behind, pruning dead letters is for admins, and a full queue
/// or a reused idempotency key is a clear, stable error.</summary>
[Collection(nameof(SiloCollection))]
public sealed class QueueRoutesTests(SiloFixture fixture)
{
    [Fact]
    public async Task ReadingAMadeUpQueue_Is404_AndActivatesNothing()
    {
        using var viewer = fixture.Factory.Client(ApiRole.Viewer);
        var grains = fixture.Factory.Services.GetRequiredService<IGrainFactory>();
        var names = Enumerable.Range(0, 20).Select(i => $"made-up-{Guid.NewGuid():N}"[..24]).ToArray();

        foreach (var name in names)
        {
            foreach (var path in new[] { "", "/jobs", "/jobs/0123456789abcdef", "/dead-letters" })
            {
                var response = await viewer.Get($"/api/queues/{name}{path}");
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.Equal(WorkersErrorCodes.QueueNotFound, (await response.Json()).Str("code"));
            }
        }

        var active = await grains.GetGrain<IManagementGrain>(0).GetActiveGrains(grains.GetGrain<IQueueGrain>(names[0]).GetGrainId().Type, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(active, id => names.Any(n => id == grains.GetGrain<IQueueGrain>(n).GetGrainId()));
    }

    [Fact]
    public async Task Pruning_DeadLetters_TakesTheAdminRole()
    {
        using var op = fixture.Factory.Client(ApiRole.Operator);
        using var admin = fixture.Factory.Client(ApiRole.Admin);
        Assert.Equal(HttpStatusCode.Created, (await op.PostJson("/api/queues/q-prune-roles/jobs", """{"payload":{}}""")).StatusCode);

        var forbidden = await op.Post("/api/queues/q-prune-roles/prune?deadLetters=true");
        var forbiddenAll = await op.Post("/api/queues/prune?deadLetters=true");
        var operatorPrune = await op.Post("/api/queues/q-prune-roles/prune");
        var adminPrune = await admin.Post("/api/queues/q-prune-roles/prune?deadLetters=true");
        var bad = await admin.Post("/api/queues/q-prune-roles/prune?deadLetters=maybe");

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (forbidden.StatusCode, forbiddenAll.StatusCode));
        Assert.Equal("FORBIDDEN", (await forbidden.Json()).Str("code"));
        Assert.False((await operatorPrune.Json()).GetProperty("deadLetters").GetBoolean());
        Assert.True((await adminPrune.Json()).GetProperty("deadLetters").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task AFullQueue_Answers429_WithRetryAfter_AndAReusedKey409()
    {
        using var op = fixture.Factory.Client(ApiRole.Operator);
        using var admin = fixture.Factory.Client(ApiRole.Admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJson("/api/workers", """{"name":"full-worker","queueName":"q-full","processor":"echo","jobOptions":{"maxWaiting":1}}""")).StatusCode);
        Assert.Equal(1, (await (await admin.Get("/api/workers/full-worker")).Json()).GetProperty("worker").GetProperty("jobOptions").GetProperty("maxWaiting").GetInt32());

        Assert.Equal(HttpStatusCode.Created, (await op.PostJson("/api/queues/q-full/jobs", """{"payload":{"n":1},"idempotencyKey":"one"}""")).StatusCode);
        var full = await op.PostJson("/api/queues/q-full/jobs", """{"payload":{"n":2}}""");
        var reused = await op.PostJson("/api/queues/q-full/jobs", """{"payload":{"n":3},"idempotencyKey":"one"}""");
        var same = await op.PostJson("/api/queues/q-full/jobs", """{"payload":{"n":1},"idempotencyKey":"one"}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, full.StatusCode);
        Assert.Equal(WorkersErrorCodes.QueueFull, (await full.Json()).Str("code"));
        Assert.True(full.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {full.Headers.RetryAfter}");
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Equal(WorkersErrorCodes.IdempotencyKeyReused, (await reused.Json()).Str("code"));
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await admin.PatchJson("/api/workers/full-worker", """{"jobOptions":{"maxWaiting":0}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await op.PostJson("/api/queues/q-full/jobs", """{"payload":{"n":2}}""")).StatusCode);
    }

    [Fact]
    public async Task ConcurrentSingleEnqueues_WhichTheFacadeCoalesces_EachGetTheirOwnAnswer()
    {
        using var op = fixture.Factory.Client(ApiRole.Operator);
        Assert.Equal(HttpStatusCode.Created, (await op.PostJson("/api/queues/q-coalesced/jobs", """{"payload":{"n":-1}}""")).StatusCode);

        // 60 at once: 50 jobs of their own, 5 invalid, 5 of one order under one Idempotency-Key.
        var sent = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/queues/q-coalesced/jobs")
            {
                Content = new StringContent(i % 12 == 5 ? """{"payload":{"n":-2},"priority":1000}""" : i % 12 == 7 ? """{"payload":{"n":"order"}}""" : $$$"""{"payload":{"n":{{{i}}}}}""", System.Text.Encoding.UTF8, "application/json"),
            };
            if (i % 12 == 7)
            {
                request.Headers.Add("Idempotency-Key", "coalesced-order");
            }

            var response = await op.SendAsync(request, TestContext.Current.CancellationToken);
            return (I: i, response.StatusCode, Body: await response.Json());
        }));

        Assert.All(sent.Where(s => s.I % 12 == 5), s => Assert.Equal((HttpStatusCode.BadRequest, WorkersErrorCodes.InvalidPriority), (s.StatusCode, s.Body.Str("code"))));
        var order = sent.Where(s => s.I % 12 == 7).ToArray();
        Assert.Single(order.Select(s => s.Body.Str("id")).Distinct());
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Created], order.Select(s => s.StatusCode).Order());   // one created it
        foreach (var (i, status, body) in sent.Where(s => s.I % 12 is not (5 or 7)))
        {
            Assert.Equal(HttpStatusCode.Created, status);
            var job = await (await op.Get($"/api/queues/q-coalesced/jobs/{body.Str("id")}")).Json();
            Assert.Equal(i, job.GetProperty("payload").GetProperty("n").GetInt32());   // its own job, not a neighbour's
        }

        var reused = await op.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/queues/q-coalesced/jobs")
        {
            Content = new StringContent("""{"payload":{"n":"other"}}""", System.Text.Encoding.UTF8, "application/json"),
            Headers = { { "Idempotency-Key", "coalesced-order" } },
        }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Equal(1 + 50 + 1, (await (await op.Get("/api/queues/q-coalesced")).Json()).GetProperty("waiting").GetInt32());
    }

    [Fact]
    public async Task Headers_GivenAtEnqueue_ReachTheProcessor_AndShowInTheJob_AndBadOnesAre400()
    {
        using var admin = fixture.Factory.Client(ApiRole.Admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJson("/api/workers", $$"""{"name":"envelope-worker","queueName":"q-envelope","processor":"{{SiloFactory.EnvelopeProcessor}}"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Post("/api/workers/envelope-worker/start")).StatusCode);

        var id = (await (await admin.PostJson("/api/queues/q-envelope/jobs", """{"payload":{},"headers":{"tenant":"acme","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}""")).Json()).Str("id");
        var job = await ZinTrust.Workers.Testing.Eventually.Get(
            async () => await (await admin.Get($"/api/queues/q-envelope/jobs/{id}")).Json(),
            j => j.Str("state") == "completed",
            "the job completed");
        var bad = await admin.PostJson("/api/queues/q-envelope/jobs", """{"payload":{},"headers":{"Not Allowed":"x"}}""");

        Assert.Equal("acme", job.GetProperty("result").GetProperty("tenant").GetString());
        Assert.Equal("acme", job.GetProperty("headers").GetProperty("tenant").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(WorkersErrorCodes.InvalidHeaders, (await bad.Json()).Str("code"));
    }

    [Fact]
    public async Task RunAt_DelaysAJobToThatMoment_AndCannotBeGivenWithDelayMs()
    {
        await fixture.Client.PostJson("/api/workers", new { name = "runat-worker", queueName = "runat-q", processor = SiloFactory.EnvelopeProcessor });
        var at = DateTimeOffset.UtcNow.AddHours(3);
        var created = await (await fixture.Client.PostJson("/api/queues/runat-q/jobs", new { payload = new { }, runAt = at })).Json();
        var job = await (await fixture.Client.Get($"/api/queues/runat-q/jobs/{created.Str("id")}")).Json();
        Assert.Equal(("delayed", at), (job.Str("state"), job.GetProperty("runAt").GetDateTimeOffset()));

        var both = await fixture.Client.PostJson("/api/queues/runat-q/jobs", new { payload = new { }, runAt = at, delayMs = 1000 });
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Equal("INVALID_DELAY", (await both.Json()).Str("code"));
    }

    [Fact]
    public async Task QueueLimits_AreSetWithTheWorkersJobOptions_ShownInTheQueuesStatus_AndValidated()
    {
        var created = await fixture.Client.PostJson("/api/workers", new
        {
            name = "limits-worker", queueName = "limits-q", processor = SiloFactory.EnvelopeProcessor,
            jobOptions = new { globalConcurrency = 3, rateLimit = new { max = 100, durationMs = 60_000 } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var options = (await created.Json()).GetProperty("worker").GetProperty("jobOptions");
        Assert.Equal((3, 100, 60_000L), (options.GetProperty("globalConcurrency").GetInt32(), options.GetProperty("rateLimit").GetProperty("max").GetInt32(), options.GetProperty("rateLimit").GetProperty("durationMs").GetInt64()));
        await fixture.Client.Post("/api/workers/limits-worker/start");
        var limits = (await (await fixture.Client.Get("/api/queues/limits-q")).Json()).GetProperty("limits");
        Assert.Equal(3, limits.GetProperty("globalConcurrency").GetInt32());

        foreach (var bad in new object[] { new { rateLimit = new { max = 5 } }, new { globalConcurrency = -1 }, new { rateLimit = new { max = 5, durationMs = 1 } } })
        {
            var refused = await fixture.Client.PatchJson("/api/workers/limits-worker", System.Text.Json.JsonSerializer.Serialize(new { jobOptions = bad }));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("INVALID_JOB_OPTIONS", (await refused.Json()).Str("code"));
        }

        var removed = await fixture.Client.PatchJson("/api/workers/limits-worker", """{"jobOptions":{"globalConcurrency":0,"rateLimit":{"max":0}}}""");
        var after = (await removed.Json()).GetProperty("worker").GetProperty("jobOptions");
        Assert.Equal((System.Text.Json.JsonValueKind.Null, System.Text.Json.JsonValueKind.Null), (after.GetProperty("globalConcurrency").ValueKind, after.GetProperty("rateLimit").ValueKind));
        await fixture.Client.Post("/api/workers/limits-worker/stop");
    }

    [Fact]
    public async Task AJobsGroupAndLog_TravelThroughRest_AndABadGroupIsRefused()
    {
        var created = await fixture.Client.PostJson("/api/workers", new
        {
            name = "groups-worker", queueName = "groups-q", processor = SiloFactory.EnvelopeProcessor, jobOptions = new { groupConcurrency = 2 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(2, (await created.Json()).GetProperty("worker").GetProperty("jobOptions").GetProperty("groupConcurrency").GetInt32());
        await fixture.Client.Post("/api/workers/groups-worker/start");

        var enqueued = await fixture.Client.PostJson("/api/queues/groups-q/jobs", new { payload = new { }, group = "tenant-7" });
        Assert.Equal(HttpStatusCode.Created, enqueued.StatusCode);
        var id = (await enqueued.Json()).Str("id");
        var job = await Eventually.Get(async () => await (await fixture.Client.Get($"/api/queues/groups-q/jobs/{id}")).Json(), j => j.Str("state") == "completed", "the job completes");
        Assert.Equal(("tenant-7", 1), (job.Str("group"), job.GetProperty("logLines").GetInt32()));

        var logs = await (await fixture.Client.Get($"/api/queues/groups-q/jobs/{id}/logs")).Json();
        var line = Assert.Single(logs.GetProperty("lines").EnumerateArray());
        Assert.Equal(("group: tenant-7", 1), (line.Str("message"), line.GetProperty("attempt").GetInt32()));
        Assert.Equal(0, logs.GetProperty("dropped").GetInt32());
        var limits = (await (await fixture.Client.Get("/api/queues/groups-q")).Json()).GetProperty("limits");
        Assert.Equal(2, limits.GetProperty("groupConcurrency").GetInt32());

        foreach (var bad in new[] { "", new string('g', 129), "tab\\there" })
        {
            var refused = await fixture.Client.PostJson("/api/queues/groups-q/jobs", $$"""{"payload":{},"group":"{{bad}}"}""");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("INVALID_GROUP", (await refused.Json()).Str("code"));
        }

        var missing = await fixture.Client.Get("/api/queues/groups-q/jobs/0123456789abcdef0123456789abcdef/logs");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        await fixture.Client.Post("/api/workers/groups-worker/stop");
    }

    [Fact]
    public async Task AMultiQueueWorker_IsCreatedWithWeightedQueues_ConsumesEach_AndBadQueuesAreRefused()
    {
        var created = await fixture.Client.PostJson("/api/workers", new
        {
            name = "multi-worker", processor = SiloFactory.EnvelopeProcessor,
            queues = new object[] { new { name = "multi-high", weight = 5 }, new { name = "multi-low" } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var worker = (await created.Json()).GetProperty("worker");
        Assert.Equal("multi-high", worker.Str("queueName"));   // the first queue is the worker's own
        Assert.Equal(["multi-high:5", "multi-low:1"], worker.GetProperty("queues").EnumerateArray().Select(q => $"{q.Str("name")}:{q.GetProperty("weight").GetInt32()}"));
        await fixture.Client.Post("/api/workers/multi-worker/start");

        var enqueued = await fixture.Client.PostJson("/api/queues/multi-low/jobs", new { payload = new { } });
        var id = (await enqueued.Json()).Str("id");
        await Eventually.Get(async () => await (await fixture.Client.Get($"/api/queues/multi-low/jobs/{id}")).Json(), j => j.Str("state") == "completed", "the second queue's job completes");
        var listed = (await (await fixture.Client.Get("/api/queues")).Json()).GetProperty("queues").EnumerateArray().Select(q => q.Str("queue")).ToArray();
        Assert.Contains("multi-low", listed);
        var byQueue = await (await fixture.Client.Get("/api/workers?queue=multi-low")).Json();
        Assert.Contains("multi-worker", byQueue.GetProperty("workers").EnumerateArray().Select(w => w.Str("name")));

        foreach (var bad in new[]
        {
            """{"name":"multi-bad","processor":"envelope","queues":[{"name":"dup-q"},{"name":"dup-q"}]}""",
            """{"name":"multi-bad","processor":"envelope","queues":[{"name":"w-q","weight":0}]}""",
            """{"name":"multi-bad","processor":"envelope","queueName":"elsewhere-q","queues":[{"name":"w-q"}]}""",
        })
        {
            var refused = await fixture.Client.PostJson("/api/workers", bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("INVALID_QUEUES", (await refused.Json()).Str("code"));
        }

        var moved = await fixture.Client.PatchJson("/api/workers/multi-worker", """{"queueName":"not-among-them"}""");
        Assert.Equal(HttpStatusCode.BadRequest, moved.StatusCode);
        Assert.Equal("INVALID_QUEUES", (await moved.Json()).Str("code"));
        var single = await (await fixture.Client.PatchJson("/api/workers/multi-worker", """{"queues":[]}""")).Json();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, single.GetProperty("worker").GetProperty("queues").ValueKind);
        await fixture.Client.Post("/api/workers/multi-worker/stop");
    }

    [Fact]
    public async Task AFlow_IsCreatedThroughRest_Idempotently_AndItsParentShowsItsChildrenOutcomes()
    {
        foreach (var (worker, queue) in new[] { ("flow-parent-worker", "flow-api-parent"), ("flow-kids-worker", "flow-api-kids") })
        {
            Assert.Equal(HttpStatusCode.Created, (await fixture.Client.PostJson("/api/workers", new { name = worker, queueName = queue, processor = SiloFactory.EnvelopeProcessor })).StatusCode);
        }

        await fixture.Client.Post("/api/workers/flow-kids-worker/start");
        var body = new
        {
            queue = "flow-api-parent", payload = new { report = 1 }, onChildFailure = "ignore",
            children = new object[] { new { queue = "flow-api-kids", payload = new { part = 1 } }, new { queue = "flow-api-kids", payload = new { part = 2 }, group = "tenant-9" } },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/flows") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", "flow-api-1");
        var created = await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var flow = await created.Json();
        var kids = flow.GetProperty("children").EnumerateArray().Select(k => k.Str("id")).ToArray();
        Assert.Equal(2, kids.Length);

        var waiting = await Eventually.Get(
            async () => await (await fixture.Client.Get($"/api/queues/flow-api-parent/jobs/{flow.Str("id")}")).Json(),
            j => j.GetProperty("children").ValueKind == System.Text.Json.JsonValueKind.Array && j.GetProperty("children").GetArrayLength() == 2,
            "both children settle");
        Assert.Equal(("waiting", 2), (waiting.Str("state"), waiting.GetProperty("childrenExpected").GetInt32()));   // its worker is stopped
        Assert.All(waiting.GetProperty("children").EnumerateArray(), k => Assert.Equal("completed", k.Str("state")));
        var kid = await (await fixture.Client.Get($"/api/queues/flow-api-kids/jobs/{kids[1]}")).Json();
        Assert.Equal(("flow-api-parent", 1), (kid.GetProperty("parent").Str("queue"), kid.GetProperty("parent").GetProperty("index").GetInt32()));

        using var again = new HttpRequestMessage(HttpMethod.Post, "/api/flows") { Content = JsonContent.Create(body) };
        again.Headers.Add("Idempotency-Key", "flow-api-1");
        var repeated = await fixture.Client.SendAsync(again, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        Assert.Equal(kids, (await repeated.Json()).GetProperty("children").EnumerateArray().Select(k => k.Str("id")));

        foreach (var bad in new[]
        {
            """{"queue":"flow-api-parent","payload":{},"onChildFailure":"maybe","children":[{"queue":"flow-api-kids"}]}""",
            """{"payload":{},"children":[{"queue":"flow-api-kids"}]}""",
            """{"queue":"flow-api-parent","delayMs":1000,"children":[{"queue":"flow-api-kids"}]}""",
        })
        {
            var refused = await fixture.Client.PostJson("/api/flows", bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("INVALID_FLOW", (await refused.Json()).Str("code"));
        }

        var listed = await (await fixture.Client.Get("/api/queues/flow-api-parent/jobs?state=waiting-children")).Json();
        Assert.Equal("waiting-children", listed.Str("state"));
        await fixture.Client.Post("/api/workers/flow-kids-worker/stop");
    }
}
