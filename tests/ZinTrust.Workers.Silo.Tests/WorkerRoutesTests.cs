using System.Net;
using System.Text.Json;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>Pause/resume, health, metrics, monitoring history, versions, sorting and the all-queue routes.</summary>
[Collection(nameof(SiloCollection))]
public sealed class WorkerRoutesTests(SiloFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private async Task Create(string name, string queue, string version = "1.0.0")
    {
        var created = await Client.PostJson("/api/workers", new { name, queueName = queue, processor = "echo", version, concurrency = 2 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private async Task<JsonElement> Until(string url, Func<JsonElement, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var body = await (await Client.Get(url)).Json();
            if (done(body))
            {
                return body;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{what}; last: {body}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task PausedWorker_KeepsItsReplicas_TakesNoJobs_AndResumeRunsThem()
    {
        await Create("routes-pause", "routes-pause-q");
        Assert.Equal(HttpStatusCode.OK, (await Client.Post("/api/workers/routes-pause/start")).StatusCode);

        var paused = await (await Client.Post("/api/workers/routes-pause/pause")).Json();
        Assert.True(paused.GetProperty("worker").GetProperty("paused").GetBoolean());
        var status = await (await Client.Get("/api/workers/routes-pause/status")).Json();
        Assert.Equal("running", status.Str("status"));
        Assert.All(status.GetProperty("replicas").EnumerateArray(), r => Assert.Equal(0, r.GetProperty("concurrency").GetInt32()));

        var id = (await (await Client.PostJson("/api/queues/routes-pause-q/jobs", """{"payload":{"n":1}}""")).Json()).Str("id");
        var waiting = await (await Client.Get($"/api/queues/routes-pause-q/jobs/{id}")).Json();
        Assert.Equal("waiting", waiting.Str("state"));

        var resumed = await (await Client.Post("/api/workers/routes-pause/resume")).Json();
        Assert.False(resumed.GetProperty("worker").GetProperty("paused").GetBoolean());
        await Until($"/api/queues/routes-pause-q/jobs/{id}", j => j.Str("state") == "completed", "the job did not run after resume");
        Assert.Equal(HttpStatusCode.NotFound, (await Client.Post("/api/workers/routes-nobody/pause")).StatusCode);
    }

    [Fact]
    public async Task Metrics_Health_AndHistory_DescribeARunningWorker()
    {
        await Create("routes-metrics", "routes-metrics-q");
        await Client.Post("/api/workers/routes-metrics/start");
        var id = (await (await Client.PostJson("/api/queues/routes-metrics-q/jobs", """{"payload":{}}""")).Json()).Str("id");
        await Until($"/api/queues/routes-metrics-q/jobs/{id}", j => j.Str("state") == "completed", "the job did not complete");

        var metrics = await Until("/api/workers/routes-metrics/metrics", m => m.GetProperty("completed").GetInt64() >= 1, "no completion counted");
        Assert.Equal(100.0, metrics.GetProperty("successRate").GetDouble());
        Assert.True(metrics.GetProperty("p50Ms").GetDouble() <= metrics.GetProperty("p99Ms").GetDouble());
        Assert.Equal(0, metrics.GetProperty("retried").GetInt64());
        Assert.Equal(1, metrics.GetProperty("queue").GetProperty("counters").GetProperty("enqueued").GetInt64());
        Assert.Equal(1, metrics.GetProperty("queue").GetProperty("counters").GetProperty("completed").GetInt64());
        Assert.Equal("routes-metrics-q", metrics.GetProperty("queue").Str("queue"));

        var health = await (await Client.Get("/api/workers/routes-metrics/health")).Json();
        Assert.Equal("running", health.Str("status"));
        Assert.Equal(JsonValueKind.Object, health.GetProperty("health").ValueKind);

        // A sample is taken when the worker starts and then every WORKER_HEALTH_CHECK_INTERVAL.
        var history = await Until("/api/workers/routes-metrics/monitoring/history", h => h.GetProperty("samples").GetArrayLength() >= 1, "no monitoring sample");
        var sample = history.GetProperty("samples")[0];
        Assert.Equal("running", sample.Str("status"));
        Assert.Equal(1, sample.GetProperty("replicas").GetInt32());
        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        Assert.Equal(0, (await (await Client.Get($"/api/workers/routes-metrics/monitoring/history?from={future}")).Json()).GetProperty("samples").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.Get($"/api/workers/routes-metrics/monitoring/history?from={future}&to=2020-01-01T00:00:00Z")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.Get("/api/workers/routes-metrics/monitoring/history?from=yesterday")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.Get("/api/workers/routes-metrics/monitoring/history?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.Get("/api/workers/routes-none/metrics")).StatusCode);
    }

    [Fact]
    public async Task Versions_RecordCreateAndEachVersionChange_InTheHistory()
    {
        await Create("routes-versions", "routes-versions-q", "1.0.0");
        // A change without a new version is not a version.
        Assert.Equal(HttpStatusCode.OK, (await Client.PatchAsync("/api/workers/routes-versions", Body(new { concurrency = 3 }), TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.PatchAsync("/api/workers/routes-versions", Body(new { version = "1.1.0", concurrency = 4 }), TestContext.Current.CancellationToken)).StatusCode);

        var body = await (await Client.Get("/api/workers/routes-versions/versions")).Json();
        var history = body.GetProperty("history").EnumerateArray().ToArray();

        Assert.Equal("1.1.0", body.Str("current"));
        Assert.Equal("1.1.0", body.Str("active"));
        Assert.Equal(["1.0.0", "1.1.0"], history.Select(v => v.Str("version")));
        Assert.Equal(["created", "updated"], history.Select(v => v.Str("reason")));
        Assert.Equal([false, true], history.Select(v => v.GetProperty("current").GetBoolean()));
        Assert.Equal(4, history[1].GetProperty("definition").GetProperty("concurrency").GetInt32());

        // A version set by an update is registered too.
        Assert.Equal(["1.0.0", "1.1.0"], body.GetProperty("versions").EnumerateArray().Select(v => v.Str("version")));
    }

    [Fact]
    public async Task Versions_RegisterListActivateAndRollBack_WithStableCodes()
    {
        await Create("routes-roll", "routes-roll-q", "1.0.0");
        Assert.Equal(HttpStatusCode.OK, (await Client.Post("/api/workers/routes-roll/start")).StatusCode);

        // The original's body registers a version without running it (admin only).
        var register = new { version = "2.0.0", description = "Added retry logic", processor = "echo", concurrency = 3 };
        using (var viewer = fixture.Factory.Client(ApiRole.Viewer))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostJson("/api/workers/routes-roll/versions", register)).StatusCode);
        }

        var registered = await Client.PostJson("/api/workers/routes-roll/versions", register);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var version = await registered.Json();
        Assert.Equal(("2.0.0", "Added retry logic", false), (version.Str("version"), version.Str("description"), version.GetProperty("active").GetBoolean()));

        await Expect(await Client.PostJson("/api/workers/routes-roll/versions", register), HttpStatusCode.Conflict, "VERSION_EXISTS");
        await Expect(await Client.PostJson("/api/workers/routes-roll/versions", new { version = "2.0" }), HttpStatusCode.BadRequest, "INVALID_VERSION");
        await Expect(await Client.PostJson("/api/workers/routes-roll/versions", new { description = "no number" }), HttpStatusCode.BadRequest, "MISSING_REQUIRED_FIELD");
        await Expect(await Client.PostJson("/api/workers/routes-roll/versions", new { version = "2.5.0", processor = "nowhere" }), HttpStatusCode.Created, null);
        await Expect(await Client.PostJson("/api/workers/no-such-worker/versions", register), HttpStatusCode.NotFound, "WORKER_NOT_FOUND");

        var list = await (await Client.Get("/api/workers/routes-roll/versions")).Json();
        Assert.Equal("1.0.0", list.Str("active"));
        Assert.Equal(["1.0.0", "2.0.0", "2.5.0"], list.GetProperty("versions").EnumerateArray().Select(v => v.Str("version")));

        // Activation is checked first; then it rolls the running replicas.
        await Expect(await Client.Post("/api/workers/routes-roll/versions/9.9.9/activate"), HttpStatusCode.NotFound, "VERSION_NOT_FOUND");
        await Expect(await Client.Post("/api/workers/routes-roll/versions/2.5.0/activate"), HttpStatusCode.Conflict, "PROCESSOR_NOT_ON_EVERY_SILO");
        await Expect(await Client.Post("/api/workers/routes-roll/versions/x/activate"), HttpStatusCode.BadRequest, "INVALID_VERSION");
        var activated = await Client.Post("/api/workers/routes-roll/versions/2.0.0/activate");
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        var worker = (await activated.Json()).GetProperty("worker");
        Assert.Equal(("2.0.0", 3), (worker.Str("version"), worker.GetProperty("concurrency").GetInt32()));

        var rolled = await (await Client.Get("/api/workers/routes-roll/versions")).Json();
        var rollout = rolled.GetProperty("rollout");
        Assert.Equal(("2.0.0", "completed", "1.0.0", "2.0.0"), (rolled.Str("active"), rollout.Str("state"), rollout.Str("from"), rollout.Str("to")));

        // A job now records the version that ran it.
        var job = await (await Client.PostJson("/api/queues/routes-roll-q/jobs", new { payload = new { n = 1 } })).Json();
        var done = await Until($"/api/queues/routes-roll-q/jobs/{job.Str("id")}", b => b.Str("state") == "completed", "the job completes");
        Assert.Equal("2.0.0", done.Str("version"));

        // Rollback: activate the older version.
        Assert.Equal(HttpStatusCode.OK, (await Client.Post("/api/workers/routes-roll/versions/1.0.0/activate")).StatusCode);
        var back = await (await Client.Get("/api/workers/routes-roll/versions")).Json();
        Assert.Equal(("1.0.0", "rolled back"), (back.Str("active"), back.GetProperty("history").EnumerateArray().Last().Str("reason")));
    }

    [Fact]
    public async Task Canary_StartStatusPauseResumeRollback_WithTheOriginalsBody_AndStableCodes()
    {
        await Create("routes-canary", "routes-canary-q", "1.0.0");
        Assert.Equal(HttpStatusCode.OK, (await Client.Post("/api/workers/routes-canary/start")).StatusCode);
        await Expect(await Client.PostJson("/api/workers/routes-canary/versions", new { version = "2.0.0", processor = "echo" }), HttpStatusCode.Created, null);

        await Expect(await Client.Get("/api/workers/routes-canary/canary/status"), HttpStatusCode.NotFound, "CANARY_NOT_FOUND");
        await Expect(await Client.PostJson("/api/workers/routes-canary/canary/start", new { newVersion = "9.0.0" }), HttpStatusCode.NotFound, "VERSION_NOT_FOUND");
        await Expect(await Client.PostJson("/api/workers/routes-canary/canary/start", new { newVersion = "2.0.0", steps = new[] { 10, 50 } }), HttpStatusCode.BadRequest, "INVALID_CANARY");
        await Expect(await Client.PostJson("/api/workers/routes-canary/canary/start", new { trafficPercentage = 10 }), HttpStatusCode.BadRequest, "MISSING_REQUIRED_FIELD");

        // The original's body.
        var started = await Client.PostJson("/api/workers/routes-canary/canary/start", new { newVersion = "2.0.0", trafficPercentage = 10, duration = 3_600_000, autoRollback = true, successThreshold = 95, rollbackThreshold = 80 });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var body = await started.Json();
        Assert.Equal(("running", 10.0, "1.0.0", "2.0.0"), (body.Str("state"), body.GetProperty("trafficPercentage").GetDouble(), body.Str("stableVersion"), body.Str("canaryVersion")));
        Assert.Equal([10.0, 25, 50, 100], body.GetProperty("steps").EnumerateArray().Select(s => s.GetDouble()));
        Assert.Equal("test-admin", body.GetProperty("decisions")[0].Str("by"));
        await Expect(await Client.PostJson("/api/workers/routes-canary/canary/start", new { newVersion = "2.0.0" }), HttpStatusCode.Conflict, "CANARY_ACTIVE");

        var status = await (await Client.Get("/api/workers/routes-canary/canary/status")).Json();
        Assert.Equal(100, status.GetProperty("health").GetInt32());
        Assert.Equal("2.0.0", status.GetProperty("versions").GetProperty("canary").Str("version"));
        Assert.Equal("paused", (await (await Client.Post("/api/workers/routes-canary/canary/pause")).Json()).Str("state"));
        Assert.Equal("running", (await (await Client.Post("/api/workers/routes-canary/canary/resume")).Json()).Str("state"));
        var rolled = await (await Client.Post("/api/workers/routes-canary/canary/rollback")).Json();
        Assert.Equal(("rolledBack", 0.0), (rolled.Str("state"), rolled.GetProperty("trafficPercentage").GetDouble()));
        await Expect(await Client.Post("/api/workers/routes-canary/canary/pause"), HttpStatusCode.Conflict, "CANARY_NOT_RUNNING");
    }

    private static async Task Expect(HttpResponseMessage response, HttpStatusCode status, string? code)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == status, $"expected {status}, got {response.StatusCode}: {body}");
        if (code is not null)
        {
            Assert.Equal(code, JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
        }
    }

    private static StringContent Body<T>(T value) => new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task WorkerList_Sorts_AndRejectsAnUnknownSort()
    {
        await Create("routes-sort-b", "routes-sort-q");
        await Create("routes-sort-a", "routes-sort-q");

        var names = (await (await Client.Get("/api/workers?queue=routes-sort-q&sort=-name")).Json())
            .GetProperty("workers").EnumerateArray().Select(w => w.Str("name")).ToArray();
        Assert.Equal(["routes-sort-b", "routes-sort-a"], names);
        Assert.Equal(HttpStatusCode.Created, (await Client.PostJson("/api/workers", new { name = "routes-sort-eu", queueName = "routes-sort-q", processor = "echo", region = "eu-west-1" })).StatusCode);
        var eu = (await (await Client.Get("/api/workers?queue=routes-sort-q&region=eu-west-1")).Json()).GetProperty("workers").EnumerateArray().ToArray();
        Assert.Equal(("routes-sort-eu", "eu-west-1"), (Assert.Single(eu).Str("name"), eu[0].Str("region")));
        var home = (await (await Client.Get("/api/workers?queue=routes-sort-q&region=us-east-1")).Json()).GetProperty("workers").GetArrayLength();
        Assert.Equal(2, home);   // created without a region: WORKER_REGION's default
        var badRegion = await Client.PostJson("/api/workers", new { name = "routes-sort-x", queueName = "routes-sort-q", processor = "echo", region = "EU West" });
        Assert.Equal("INVALID_REGION", (await badRegion.Json()).Str("code"));
        var bad = await Client.Get("/api/workers?sort=color");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("INVALID_QUERY", (await bad.Json()).Str("code"));
    }

    [Fact]
    public async Task QueueList_AndPruneAcrossQueues()
    {
        await Create("routes-prune", "routes-prune-q");
        var id = (await (await Client.PostJson("/api/queues/routes-prune-q/jobs", """{"payload":{}}""")).Json()).Str("id");
        Assert.Equal(HttpStatusCode.OK, (await Client.Post($"/api/queues/routes-prune-q/jobs/{id}/cancel")).StatusCode);

        var queues = await (await Client.Get("/api/queues")).Json();
        Assert.Contains(queues.GetProperty("queues").EnumerateArray(), q => q.Str("queue") == "routes-prune-q" && q.GetProperty("cancelled").GetInt32() == 1);

        var pruned = await (await Client.Post("/api/queues/prune?hours=1")).Json();
        Assert.True(pruned.GetProperty("ok").GetBoolean());
        Assert.Contains(pruned.GetProperty("queues").EnumerateArray(), q => q.Str("queue") == "routes-prune-q");
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.Post("/api/queues/prune?hours=0")).StatusCode);
    }

    [Fact]
    public async Task CircuitBreaker_IsConfigured_Tripped_AndReset_ThroughTheApi()
    {
        var created = await Client.PostJson("/api/workers", new
        {
            name = "routes-circuit",
            queueName = "routes-circuit-q",
            processor = "echo",
            features = new Dictionary<string, bool> { ["circuitBreaker"] = true },
            circuitBreaker = new { failureThreshold = 2, resetTimeoutMs = 60_000, halfOpenAttempts = 1 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(2, (await created.Json()).GetProperty("worker").GetProperty("circuitBreaker").GetProperty("failureThreshold").GetInt32());
        await Client.Post("/api/workers/routes-circuit/start");

        var closed = (await (await Client.Get("/api/workers/routes-circuit/circuit-breaker/state")).Json()).GetProperty("circuit");
        Assert.Equal("closed", closed.Str("state"));
        var open = (await (await Client.Post("/api/workers/routes-circuit/circuit-breaker/open")).Json()).GetProperty("circuit");
        Assert.Equal("open", open.Str("state"));
        Assert.Equal(JsonValueKind.String, open.GetProperty("retryAt").ValueKind);
        await Until("/api/workers/routes-circuit/status", s => s.GetProperty("replicas").EnumerateArray().All(r => r.GetProperty("concurrency").GetInt32() == 0), "the open circuit stopped leasing");
        var reset = (await (await Client.Post("/api/workers/routes-circuit/circuit-breaker/reset")).Json()).GetProperty("circuit");
        Assert.Equal("closed", reset.Str("state"));
        Assert.Equal(["open", "closed"], reset.GetProperty("transitions").EnumerateArray().Select(t => t.Str("to")));

        var bad = await Client.PatchAsync("/api/workers/routes-circuit", Body(new { circuitBreaker = new { halfOpenAttempts = 0 } }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("INVALID_CIRCUIT_BREAKER", (await bad.Json()).Str("code"));

        await Create("routes-nocircuit", "routes-nocircuit-q");
        var disabled = await Client.Post("/api/workers/routes-nocircuit/circuit-breaker/open");
        Assert.Equal(HttpStatusCode.Conflict, disabled.StatusCode);
        Assert.Equal("CIRCUIT_BREAKER_DISABLED", (await disabled.Json()).Str("code"));

        var dependency = (await (await Client.Get("/api/dependencies/mail-api/circuit-breaker/state")).Json()).GetProperty("circuit");
        Assert.Equal(("dependency:mail-api", "closed"), (dependency.Str("name"), dependency.Str("state")));
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.Get("/api/dependencies/x/circuit-breaker/state")).StatusCode);
    }

    [Fact]
    public async Task ManualScale_ChangesReplicas_HoldsTheAutoScaler_AndIsRecorded()
    {
        var created = await Client.PostJson("/api/workers", new
        {
            name = "routes-scale",
            queueName = "routes-scale-q",
            processor = "echo",
            features = new Dictionary<string, bool> { ["autoScaling"] = true },
            autoScaling = new { minReplicas = 1, maxReplicas = 3, scaleUpThreshold = 50, scaleDownThreshold = 5, cooldownMs = 60_000 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await Client.Post("/api/workers/routes-scale/start");

        var scaled = await Client.PostJson("/api/workers/routes-scale/scale", new { replicas = 2, holdMinutes = 10 });
        Assert.Equal(HttpStatusCode.OK, scaled.StatusCode);
        var decision = (await scaled.Json()).GetProperty("decision");
        Assert.Equal(("manual", 1, 2, true), (decision.Str("source"), decision.GetProperty("from").GetInt32(), decision.GetProperty("to").GetInt32(), decision.GetProperty("applied").GetBoolean()));
        await Until("/api/workers/routes-scale/status", s => s.GetProperty("replicas").GetArrayLength() == 2, "two replicas");

        var scaling = await (await Client.Get("/api/workers/routes-scale/scaling")).Json();
        Assert.Equal(2, scaling.GetProperty("replicas").GetInt32());
        Assert.Equal(3, scaling.GetProperty("bounds").GetProperty("maxReplicas").GetInt32());
        Assert.Equal(JsonValueKind.String, scaling.GetProperty("overrideUntil").ValueKind);
        Assert.Single(scaling.GetProperty("decisions").EnumerateArray());
        Assert.False(scaling.GetProperty("autoScaled").GetBoolean());   // WORKER_AUTO_SCALING_ENABLED is off here

        var cleared = await (await Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/workers/routes-scale/scaling/override"), TestContext.Current.CancellationToken)).Json();
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("overrideUntil").ValueKind);
        var scaler = (await (await Client.Get("/api/autoscaler")).Json()).GetProperty("autoscaler");
        Assert.False(scaler.GetProperty("enabled").GetBoolean());
        Assert.Equal(0, (await (await Client.Post("/api/autoscaler/evaluate")).Json()).GetProperty("decisions").GetArrayLength());

        Assert.Equal("MISSING_REQUIRED_FIELD", (await (await Client.PostJson("/api/workers/routes-scale/scale", new { holdMinutes = 1 })).Json()).Str("code"));
        Assert.Equal("INVALID_CONCURRENCY", (await (await Client.PostJson("/api/workers/routes-scale/scale", new { replicas = 0 })).Json()).Str("code"));
        Assert.Equal(HttpStatusCode.NotFound, (await Client.PostJson("/api/workers/routes-unknown/scale", new { replicas = 2 })).StatusCode);
        var badBounds = await Client.PostJson("/api/workers", new { name = "routes-badscale", queueName = "routes-badscale-q", processor = "echo", autoScaling = new { minReplicas = 3, maxReplicas = 2 } });
        Assert.Equal("INVALID_SCALING", (await badBounds.Json()).Str("code"));
    }
}
