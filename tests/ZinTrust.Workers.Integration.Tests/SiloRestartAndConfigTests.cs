using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>The real host with the Redis job store and worker state in Redis or PostgreSQL.</summary>
public sealed class SiloRestartAndConfigTests
{
    private static int nextPort = 24000 + (Environment.ProcessId % 300) * 20;

    private sealed class RedisSilo(string statePrefix, string queuePrefix, string driver = "redis", string? database = null) : WebApplicationFactory<Program>
    {
        private readonly int siloPort = Interlocked.Add(ref nextPort, 2);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var endpoint = RealServers.Redis.Split(',')[0];
            builder.UseSetting("SILO_PORT", siloPort.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("GATEWAY_PORT", (siloPort + 1).ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("LOG_LEVEL", "warn");
            builder.UseSetting("WORKER_API_KEYS", SiloProcesses.ApiKeysSetting);
            builder.UseSetting("QUEUE_DRIVER", "redis");
            builder.UseSetting("WORKER_PERSISTENCE_DRIVER", driver);
            if (database is not null)
            {
                builder.UseSetting("ConnectionStrings:default", database);
            }

            builder.UseSetting("REDIS_HOST", endpoint.Split(':')[0]);
            builder.UseSetting("REDIS_PORT", endpoint.Split(':')[1]);
            builder.UseSetting("WORKER_PERSISTENCE_REDIS_KEY_PREFIX", statePrefix);
            builder.UseSetting("QUEUE_REDIS_KEY_PREFIX", queuePrefix);
        }
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return doc.RootElement.Clone();
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("redis")]
    [InlineData("db")]
    public async Task WorkerDefinitions_VersionsAndStatuses_AndJobs_SurviveAFullRestart(string driver)
    {
        var ct = TestContext.Current.CancellationToken;
        var statePrefix = $"zt-state-{Guid.NewGuid():N}";
        var queuePrefix = $"zt-jobs-{Guid.NewGuid():N}";
        var database = driver == "db" ? await RealServers.FreshDatabaseAsync(migrate: true, ct) : null;
        string delayedJob;
        JsonElement failure;
        await using var unhealthy = new TestHttpEndpoint(status: 503);
        await using (var first = new RedisSilo(statePrefix, queuePrefix, driver, database))
        {
            var http = first.CreateClient();
            http.DefaultRequestHeaders.Add("X-Api-Key", SiloProcesses.ApiKey);
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/api/workers", Body("""{"name":"survivor","queueName":"survivor-q","processor":"echo","version":"3.1.4","concurrency":4}"""), ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/api/workers", Body("""{"name":"sleeper","queueName":"sleeper-q","processor":"echo","version":"0.0.1"}"""), ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/workers/survivor/start", null, ct)).StatusCode);
            delayedJob = (await Json(await http.PostAsync("/api/queues/survivor-q/jobs", Body("""{"payload":{"n":1},"delayMs":500}"""), ct))).GetProperty("id").GetString()!;

            // A worker failed by its declared health check: the failure and its reason are part of the stored state.
            var failer = $$"""{"name":"failer","queueName":"failer-q","processor":"echo","healthCheck":{"kind":"http","url":"{{unhealthy.Url()}}","intervalMs":1000,"failureThreshold":1} }""";
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/api/workers", Body(failer), ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/workers/failer/start", null, ct)).StatusCode);
            failure = (await Eventually.Get(
                async () => await Json(await http.GetAsync("/api/workers/failer", ct)),
                w => w.GetProperty("worker").GetProperty("status").GetString() == "failed",
                "the worker failed its health check")).GetProperty("worker").GetProperty("failure");
        }

        await using var second = new RedisSilo(statePrefix, queuePrefix, driver, database);
        var again = second.CreateClient();
        again.DefaultRequestHeaders.Add("X-Api-Key", SiloProcesses.ApiKey);
        var ready = await Json(await again.GetAsync("/health/ready", ct));
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal("ok", ready.GetProperty("checks").GetProperty("redis").GetString());
        if (driver == "db")
        {
            Assert.Equal("ok", ready.GetProperty("checks").GetProperty("postgres:default").GetString());
        }

        var survivor = (await Json(await again.GetAsync("/api/workers/survivor", ct))).GetProperty("worker");
        var sleeper = (await Json(await again.GetAsync("/api/workers/sleeper", ct))).GetProperty("worker");

        Assert.Equal("3.1.4", survivor.GetProperty("version").GetString());
        Assert.Equal(4, survivor.GetProperty("concurrency").GetInt32());
        Assert.Equal("running", survivor.GetProperty("status").GetString());
        Assert.Equal("0.0.1", sleeper.GetProperty("version").GetString());
        Assert.Equal("stopped", sleeper.GetProperty("status").GetString());
        var failed = (await Json(await again.GetAsync("/api/workers/failer/status", ct)));
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(failure.GetRawText(), failed.GetProperty("failure").GetRawText());
        Assert.Empty(failed.GetProperty("replicas").EnumerateArray());

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement job;
        while ((job = await Json(await again.GetAsync($"/api/queues/survivor-q/jobs/{delayedJob}", ct))).GetProperty("state").GetString() != "completed")
        {
            Assert.True(DateTime.UtcNow < deadline, $"the delayed job did not complete after the restart: {job}");
            await Task.Delay(50, ct);
        }

        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("db")]
    public async Task DurableMetrics_SurviveAFullRestart_InTheRealGrainStorage(string driver)
    {
        var ct = TestContext.Current.CancellationToken;
        var statePrefix = $"zt-state-{Guid.NewGuid():N}";
        var queuePrefix = $"zt-jobs-{Guid.NewGuid():N}";
        var database = driver == "db" ? await RealServers.FreshDatabaseAsync(migrate: true, ct) : null;
        await using (var first = new RedisSilo(statePrefix, queuePrefix, driver, database))
        {
            var http = first.CreateClient();
            http.DefaultRequestHeaders.Add("X-Api-Key", SiloProcesses.ApiKey);
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/api/workers", Body("""{"name":"counted","queueName":"counted-q","processor":"echo"}"""), ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/workers/counted/start", null, ct)).StatusCode);
            var ids = new List<string>();
            for (int i = 0; i < 3; i++)
            {
                ids.Add((await Json(await http.PostAsync("/api/queues/counted-q/jobs", Body("""{"payload":{"n":1}}"""), ct))).GetProperty("id").GetString()!);
            }

            foreach (var id in ids)
            {
                await Eventually.True(async () => (await Json(await http.GetAsync($"/api/queues/counted-q/jobs/{id}", ct))).GetProperty("state").GetString() == "completed", $"job {id} completes");
            }

            // A graceful stop hands the replica's last counters over and writes them to the grain storage.
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/workers/counted/stop", null, ct)).StatusCode);
        }

        await using var second = new RedisSilo(statePrefix, queuePrefix, driver, database);
        var again = second.CreateClient();
        again.DefaultRequestHeaders.Add("X-Api-Key", SiloProcesses.ApiKey);
        foreach (var period in new[] { "hour", "day", "month" })
        {
            var metrics = await Json(await again.GetAsync($"/api/workers/counted/metrics?period={period}", ct));
            Assert.Equal(3, metrics.GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("completed").GetInt64()));
            Assert.Equal(JsonValueKind.String, metrics.GetProperty("savedAt").ValueKind);
            Assert.All(metrics.GetProperty("buckets").EnumerateArray(), b => Assert.Equal(JsonValueKind.Number, b.GetProperty("p95Ms").ValueKind));
        }
    }

    public static TheoryData<string, string, string> BadPostgres => new()
    {
        { "Host=127.0.0.1;Port=1;Username=postgres;Password=x;Database=x;Timeout=3", "WORKER_PERSISTENCE_DB_CONNECTION", "failed to connect" },
        { "wrong-password", "WORKER_PERSISTENCE_DB_CONNECTION", "password" },
        { "no-tables", "WORKER_PERSISTENCE_TABLE", "migrate" },
    };

    [Theory]
    [MemberData(nameof(BadPostgres))]
    public async Task BadPostgres_StopsStartUp_WithinBoundedTime_NamingTheSetting(string connection, string setting, string hint)
    {
        var ct = TestContext.Current.CancellationToken;
        connection = connection switch
        {
            "wrong-password" => new Npgsql.NpgsqlConnectionStringBuilder(RealServers.Postgres) { Password = "not-the-password" }.ConnectionString,
            "no-tables" => await RealServers.FreshDatabaseAsync(migrate: false, ct),
            _ => connection,
        };
        var (exitCode, stderr, elapsed) = await RunSilo(new Dictionary<string, string>
        {
            ["WORKER_PERSISTENCE_DRIVER"] = "db",
            ["ConnectionStrings__default"] = connection,
        });

        Assert.Equal(3, exitCode);
        Assert.Contains(setting, stderr, StringComparison.Ordinal);
        Assert.Contains(hint, stderr, StringComparison.OrdinalIgnoreCase);
        Assert.True(elapsed < TimeSpan.FromSeconds(40), $"start-up failed only after {elapsed}");
    }

    private static async Task<(int ExitCode, string Stderr, TimeSpan Elapsed)> RunSilo(Dictionary<string, string> environment)
    {
        int port = Interlocked.Add(ref nextPort, 2);
        var ports = new Dictionary<string, string>
        {
            ["SILO_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["GATEWAY_PORT"] = (port + 1).ToString(CultureInfo.InvariantCulture),
            ["PORT"] = (port + 500).ToString(CultureInfo.InvariantCulture),
        };
        var watch = Stopwatch.StartNew();
        var (exitCode, _, stderr) = await SiloProcesses.RunToExitAsync([], ports.Concat(environment), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        return (exitCode, stderr, watch.Elapsed);
    }

    [Fact]
    public async Task UnreachableRedis_StopsStartUp_WithinBoundedTime_NamingTheSettings()
    {
        var (exitCode, stderr, elapsed) = await RunSilo(new Dictionary<string, string>
        {
            ["QUEUE_DRIVER"] = "redis",
            ["WORKER_PERSISTENCE_DRIVER"] = "redis",
            ["REDIS_HOST"] = "127.0.0.1",
            ["REDIS_PORT"] = "1",
            ["WORKER_CONNECTION_TIMEOUT"] = "1000",
        });

        Assert.Equal(3, exitCode);
        Assert.Contains("REDIS_HOST", stderr, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", stderr, StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"start-up failed only after {elapsed}");
    }
}
