using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>API keys, roles and rate limits through the real HTTP pipeline.</summary>
[Collection(nameof(SiloCollection))]
public sealed class SecurityTests(SiloFixture fixture)
{
    /// <summary>
    /// Every route and the least role it needs. A route added to the host without an entry here fails
    /// <see cref="EveryRoute_IsInTheRoleMatrix"/>; each entry is checked with no key, a wrong key, each lower role
    /// and the required one.
    /// </summary>
    internal static readonly Dictionary<string, string> Matrix = new()
    {
        ["GET /health"] = "viewer",
        ["GET /health/live"] = "anonymous",
        ["GET /health/ready"] = "anonymous",
        ["GET /api/workers/"] = "viewer",
        ["POST /api/workers/"] = "admin",
        ["POST /api/workers/create"] = "admin",
        ["GET /api/workers/system/summary"] = "viewer",
        ["GET /api/workers/{name}"] = "viewer",
        ["PATCH /api/workers/{name}"] = "admin",
        ["PUT /api/workers/{name}"] = "admin",
        ["DELETE /api/workers/{name}"] = "admin",
        ["GET /api/workers/{name}/status"] = "viewer",
        ["POST /api/workers/{name}/start"] = "operator",
        ["POST /api/workers/{name}/stop"] = "operator",
        ["POST /api/workers/{name}/restart"] = "operator",
        ["POST /api/workers/{name}/pause"] = "operator",
        ["POST /api/workers/{name}/resume"] = "operator",
        ["GET /api/workers/{name}/health"] = "viewer",
        ["GET /api/workers/{name}/metrics"] = "viewer",
        ["GET /api/workers/{name}/monitoring/history"] = "viewer",
        ["POST /api/workers/{name}/monitoring/start"] = "operator",
        ["POST /api/workers/{name}/monitoring/stop"] = "operator",
        ["GET /api/workers/{name}/dead-letter-queue/list"] = "viewer",
        ["POST /api/workers/{name}/dead-letter-queue/retry"] = "operator",
        ["GET /api/workers/{name}/versions"] = "viewer",
        ["POST /api/workers/{name}/versions"] = "admin",
        ["POST /api/workers/{name}/versions/{version}/activate"] = "admin",
        ["POST /api/workers/{name}/canary/start"] = "admin",
        ["POST /api/workers/{name}/canary/pause"] = "operator",
        ["POST /api/workers/{name}/canary/resume"] = "operator",
        ["POST /api/workers/{name}/canary/rollback"] = "operator",
        ["POST /api/workers/{name}/canary/complete"] = "admin",
        ["GET /api/workers/{name}/canary/status"] = "viewer",
        ["GET /api/workers/{name}/placement"] = "viewer",
        ["PUT /api/workers/{name}/placement"] = "admin",
        ["DELETE /api/workers/{name}/placement"] = "admin",
        ["PUT /api/workers/{name}/failover"] = "admin",
        ["DELETE /api/workers/{name}/failover"] = "admin",
        ["POST /api/datacenters/regions"] = "admin",
        ["GET /api/datacenters/regions"] = "viewer",
        ["GET /api/datacenters/topology"] = "viewer",
        ["GET /api/workers/{name}/circuit-breaker/state"] = "viewer",
        ["POST /api/workers/{name}/circuit-breaker/reset"] = "operator",
        ["POST /api/workers/{name}/circuit-breaker/open"] = "operator",
        ["GET /api/autoscaler/"] = "viewer",
        ["POST /api/autoscaler/evaluate"] = "operator",
        ["GET /api/workers/{name}/scaling"] = "viewer",
        ["POST /api/workers/{name}/scale"] = "operator",
        ["DELETE /api/workers/{name}/scaling/override"] = "operator",
        ["GET /api/dependencies/{name}/circuit-breaker/state"] = "viewer",
        ["POST /api/dependencies/{name}/circuit-breaker/reset"] = "operator",
        ["POST /api/dependencies/{name}/circuit-breaker/open"] = "operator",
        ["GET /api/queues/"] = "viewer",
        ["POST /api/queues/prune"] = "operator",
        ["GET /api/queues/{queue}/"] = "viewer",
        ["POST /api/queues/{queue}/jobs"] = "operator",
        ["GET /api/queues/{queue}/jobs"] = "viewer",
        ["GET /api/queues/{queue}/jobs/{id}"] = "viewer",
        ["GET /api/queues/{queue}/jobs/{id}/logs"] = "viewer",
        ["POST /api/flows"] = "operator",
        ["POST /api/queues/{queue}/jobs/{id}/cancel"] = "operator",
        ["POST /api/queues/{queue}/jobs/{id}/retry"] = "operator",
        ["POST /api/queues/{queue}/pause"] = "operator",
        ["POST /api/queues/{queue}/resume"] = "operator",
        ["POST /api/queues/{queue}/prune"] = "operator",
        ["GET /api/queues/{queue}/dead-letters"] = "viewer",
        ["POST /api/queues/{queue}/dead-letters/retry"] = "operator",
        ["DELETE /api/queues/{queue}/dead-letters"] = "admin",
        ["GET /api/events/"] = "viewer",
        ["GET /api/plugins/"] = "viewer",
        ["POST /api/plugins/{name}/enable"] = "admin",
        ["POST /api/plugins/{name}/disable"] = "admin",
        ["GET /api/resources/"] = "viewer",
        ["GET /api/resources/current"] = "viewer",
        ["GET /api/resources/history"] = "viewer",
        ["GET /api/resources/costs"] = "viewer",
        ["GET /api/resources/alerts"] = "viewer",
        ["GET /api/resources/trends"] = "viewer",
        ["POST /api/resources/stop"] = "operator",
        ["POST /api/resources/start"] = "operator",   // after stop: the shared host ends with monitoring allowed
        ["GET /api/compliance/status"] = "viewer",
        ["DELETE /api/compliance/subjects/{subject}"] = "admin",
        ["POST /api/compliance/encryption/reencrypt"] = "admin",
        ["POST /api/compliance/retention/run"] = "admin",
        // Documentation: public in Development (this host), viewer elsewhere (WORKER_API_DOCS_PUBLIC).
        ["GET /openapi/{documentName}.json"] = "anonymous",
        ["GET /docs/{documentName?}"] = "anonymous",
        ["GET /docs/scalar.js"] = "anonymous",
        ["GET /docs/scalar.aspnetcore.js"] = "anonymous",
        ["GET /docs/favicon.svg"] = "anonymous",
        ["GET /api/schedules/"] = "viewer",
        ["POST /api/schedules/"] = "admin",
        ["GET /api/schedules/{id}"] = "viewer",
        ["PUT /api/schedules/{id}"] = "admin",
        ["DELETE /api/schedules/{id}"] = "admin",
        ["POST /api/schedules/{id}/pause"] = "operator",
        ["POST /api/schedules/{id}/resume"] = "operator",
        ["POST /api/schedules/{id}/trigger"] = "operator",
        ["POST /api/schedules/{id}/backfill"] = "operator",
        ["GET /api/audit/"] = "admin",
        ["GET /api/audit/verify"] = "admin",
        // The console: its page needs a session or key (viewer); sign-in, its assets and the session routes are open.
        ["GET /ui/"] = "viewer",
        ["GET /ui/signin"] = "anonymous",
        ["GET /ui/assets/{file}"] = "anonymous",
        ["GET /ui/session"] = "anonymous",
        ["POST /ui/session"] = "anonymous",
        ["DELETE /ui/session"] = "anonymous",
        // The Orleans dashboard (its pages, assets and JSON), all behind the viewer role.
        ["GET /dashboard/"] = "viewer",
        ["GET /dashboard/index.html"] = "viewer",
        ["GET /dashboard/favicon.ico"] = "viewer",
        ["GET /dashboard/index.min.js"] = "viewer",
        ["GET /dashboard/index.css"] = "viewer",
        ["GET /dashboard/fonts/{**path}"] = "viewer",
        ["GET /dashboard/img/{**path}"] = "viewer",
        ["GET /dashboard/version"] = "viewer",
        ["GET /dashboard/DashboardCounters"] = "viewer",
        ["GET /dashboard/ClusterStats"] = "viewer",
        ["GET /dashboard/Reminders"] = "viewer",
        ["GET /dashboard/Reminders/{page:int}"] = "viewer",
        ["GET /dashboard/HistoricalStats/{*path}"] = "viewer",
        ["GET /dashboard/SiloProperties/{*address}"] = "viewer",
        ["GET /dashboard/SiloMetadata/{*address}"] = "viewer",
        ["GET /dashboard/SiloStats/{*address}"] = "viewer",
        ["GET /dashboard/SiloCounters/{*address}"] = "viewer",
        ["GET /dashboard/GrainStats/{*grainName}"] = "viewer",
        ["GET /dashboard/TopGrainMethods"] = "viewer",
        ["GET /dashboard/GrainState"] = "viewer",
        ["GET /dashboard/LifecycleStages"] = "viewer",
        ["GET /dashboard/GrainTypes"] = "viewer",
        ["GET /dashboard/Trace"] = "viewer",
        ["ANY {*path:nonfile}"] = "viewer",
    };

    private static readonly string[] Roles = ["viewer", "operator", "admin"];

    private static IEnumerable<string> RouteKeys(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().SelectMany(e =>
        {
            var methods = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods;
            return methods is { Count: > 0 } ? methods.Select(m => $"{m} {e.RoutePattern.RawText}") : [$"ANY {e.RoutePattern.RawText}"];
        });

    [Fact]
    public void EveryRoute_IsInTheRoleMatrix()
    {
        var routes = RouteKeys(fixture.Factory.Services).ToHashSet();

        Assert.Empty(routes.Except(Matrix.Keys).Order());   // a new route needs a row (and a role)
        Assert.Empty(Matrix.Keys.Except(routes).Order());   // a stale row means a route went away
    }

    [Fact]
    public async Task EveryRoute_RequiresItsRole_AndNoLess()
    {
        using var anonymous = fixture.Factory.Client(role: null);
        using var wrong = fixture.Factory.CreateClient();
        wrong.DefaultRequestHeaders.Add("X-Api-Key", TestKeys.Admin[..^1] + "x");
        var clients = Roles.ToDictionary(r => r, r => fixture.Factory.Client(ApiKeyRing.ParseRole(r)));
        var failures = new List<string>();
        // The dashboard's silo routes take this silo's address as Orleans writes it (S127.0.0.1:11111:1 -> 127.0.0.1:11111@1).
        var silo = (await (await clients["viewer"].Get("/health")).Json()).Str("silo")[1..];
        var address = silo[..silo.LastIndexOf(':')] + "@" + silo[(silo.LastIndexOf(':') + 1)..];
        foreach (var (route, required) in Matrix)
        {
            var request = Instantiate(route, address);
            var none = await Send(anonymous, request);
            if (required == "anonymous")
            {
                Expect(none, s => s is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), route, "no key");
                continue;
            }

            Expect(none, s => s == HttpStatusCode.Unauthorized, route, "no key");
            Expect(await Send(wrong, request), s => s == HttpStatusCode.Unauthorized, route, "a wrong key");
            int needed = Array.IndexOf(Roles, required);
            for (int i = 0; i < Roles.Length; i++)
            {
                var status = await Send(clients[Roles[i]], request);
                if (i < needed)
                {
                    Expect(status, s => s == HttpStatusCode.Forbidden, route, Roles[i]);
                }
                else
                {
                    Expect(status, s => s is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && (int)s < 500, route, Roles[i]);
                }
            }
        }

        foreach (var c in clients.Values)
        {
            c.Dispose();
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));

        void Expect(HttpStatusCode status, Func<HttpStatusCode, bool> ok, string route, string who)
        {
            if (!ok(status))
            {
                failures.Add($"{route} with {who}: {(int)status} {status}");
            }
        }
    }

    internal static (HttpMethod Method, string Path) Instantiate(string route, string siloAddress = "127.0.0.1:1@1")
    {
        var space = route.IndexOf(' ', StringComparison.Ordinal);
        var method = route[..space] == "ANY" ? HttpMethod.Get : new HttpMethod(route[..space]);
        var path = route[(space + 1)..]
            .Replace("{name}", "matrix-worker", StringComparison.Ordinal)
            .Replace("{queue}", "matrix-queue", StringComparison.Ordinal)
            .Replace("{id}", "no-such-job", StringComparison.Ordinal)
            .Replace("{version}", "9.9.9", StringComparison.Ordinal)
            .Replace("{subject}", "matrix-subject", StringComparison.Ordinal)
            .Replace("{documentName}", "v1", StringComparison.Ordinal)
            .Replace("{documentName?}", "", StringComparison.Ordinal)
            .Replace("{**path}", "index.html", StringComparison.Ordinal)
            .Replace("{file}", "app.js", StringComparison.Ordinal)
            .Replace("{page:int}", "1", StringComparison.Ordinal)
            .Replace("{*path}", siloAddress, StringComparison.Ordinal)
            .Replace("{*address}", siloAddress, StringComparison.Ordinal)
            .Replace("{*grainName}", "ZinTrust.Workers.Grains.QueueGrain", StringComparison.Ordinal)
            .Replace("{*path:nonfile}", "no/such/route", StringComparison.Ordinal);
        return (method, path.StartsWith('/') ? path : "/" + path);
    }

    private static async Task<HttpStatusCode> Send(HttpClient client, (HttpMethod Method, string Path) request)
    {
        using var message = new HttpRequestMessage(request.Method, request.Path);
        if (request.Method != HttpMethod.Get && request.Method != HttpMethod.Delete)
        {
            message.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        // Headers only: a stream (GET /api/events) never ends; disposing the response closes it.
        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    [Fact]
    public async Task UnknownAndWrongKeys_GetTheSameProblem()
    {
        using var unknown = fixture.Factory.CreateClient();
        unknown.DefaultRequestHeaders.Add("X-Api-Key", ApiKeyRing.NewKey());
        using var nearMiss = fixture.Factory.CreateClient();
        nearMiss.DefaultRequestHeaders.Add("Authorization", "Bearer " + TestKeys.Operator[..^1] + "Z");

        var a = await unknown.Get("/api/workers");
        var b = await nearMiss.Get("/api/workers");

        Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, b.StatusCode);
        // The same problem but for each request's own trace id: nothing tells which kind of wrong key it was.
        var (first, second) = (await a.Json(), await b.Json());
        Assert.NotEqual(first.Str("traceId"), second.Str("traceId"));
        Assert.Equal(WithoutTraceId(first), WithoutTraceId(second));
        Assert.Equal("UNAUTHORIZED", first.Str("code"));
        Assert.Contains("ApiKey", a.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BearerKeys_AreAccepted_AndATooLowRoleIsForbidden_WithTheErrorShape()
    {
        using var client = fixture.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestKeys.Viewer);

        Assert.Equal(HttpStatusCode.OK, (await client.Get("/api/workers")).StatusCode);
        var forbidden = await client.PostJson("/api/workers", new { name = "viewer-made", queueName = "viewer-q", processor = "echo" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var body = await forbidden.Json();
        Assert.Equal("FORBIDDEN", body.Str("code"));
        Assert.Equal("Forbidden", body.Str("error"));
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client.Get("/api/workers/viewer-made")).StatusCode);
    }

    [Fact]
    public async Task WriteRoutes_AreRateLimitedPerKey_WithRetryAfter_AndReadsAreNot()
    {
        await using var factory = new SiloFactory(new Dictionary<string, string> { ["WORKER_API_RATE_LIMIT"] = "1", ["WORKER_API_RATE_BURST"] = "2" });
        using var op = factory.Client(ApiRole.Operator);
        using var admin = factory.Client(ApiRole.Admin);

        Assert.Equal(HttpStatusCode.Created, (await admin.PostJson("/api/queues/rate-q/jobs", """{"payload":{}}""")).StatusCode);   // the queue exists
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (int i = 0; i < 3; i++)
        {
            var response = await op.Post("/api/queues/rate-q/pause");
            statuses.Add(response.StatusCode);
            limited = response;
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal("RATE_LIMITED", (await limited!.Json()).Str("code"));
        Assert.True(limited!.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {limited.Headers.RetryAfter}");
        Assert.Equal(HttpStatusCode.OK, (await op.Get("/api/queues/rate-q")).StatusCode);       // reads are not limited
        Assert.Equal(HttpStatusCode.OK, (await admin.Post("/api/queues/rate-q/resume")).StatusCode); // another key has its own bucket
    }

    [Fact]
    public async Task Keys_NeverAppearInLogs()
    {
        var sink = new CapturingLoggerProvider();
        await using var factory = new SiloFactory(new Dictionary<string, string> { ["LOG_LEVEL"] = "trace" });
        using var host = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(sink)));
        using var admin = host.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", TestKeys.Admin);
        using var bad = host.CreateClient();
        var badKey = ApiKeyRing.NewKey();
        bad.DefaultRequestHeaders.Add("X-Api-Key", badKey);

        Assert.Equal(HttpStatusCode.Created, (await admin.PostJson("/api/workers", new { name = "logged-w", queueName = "logged-q", processor = "echo" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bad.Get("/api/workers")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Get("/api/workers/not-there")).StatusCode);

        Assert.NotEmpty(sink.Lines);
        Assert.DoesNotContain(sink.Lines, l => l.Contains(TestKeys.Admin, StringComparison.Ordinal) || l.Contains(badKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Development_WithoutKeys_GeneratesAnAdminKeyForTheRun()
    {
        await using var factory = new SiloFactory(withKeys: false);
        using var anonymous = factory.CreateClient();
        var ring = factory.Services.GetRequiredService<ApiKeyRing>();

        Assert.NotNull(ring.GeneratedDevelopmentKey);
        Assert.StartsWith("zt_dev_", ring.GeneratedDevelopmentKey, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Get("/api/workers")).StatusCode);
        anonymous.DefaultRequestHeaders.Add("X-Api-Key", ring.GeneratedDevelopmentKey);
        Assert.Equal(HttpStatusCode.Created, (await anonymous.PostJson("/api/workers", new { name = "dev-made", queueName = "dev-q", processor = "echo" })).StatusCode);
    }

    [Fact]
    public void KeyCommand_PrintsAKey_WhoseEntryAuthenticatesWithThatRole()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(0, ApiSecurity.NewKeyCommand(["--name", "ops-team", "--role", "operator"], output, error));
        var lines = output.ToString().Split('\n');
        var key = lines.Single(l => l.StartsWith("key:", StringComparison.Ordinal))["key:".Length..].Trim();
        var entry = lines.Single(l => l.StartsWith("entry:", StringComparison.Ordinal))["entry:".Length..].Trim();
        Assert.DoesNotContain(key, entry, StringComparison.Ordinal);
        var parsed = new List<ApiKeyEntry>();
        var problems = new List<string>();
        ApiKeyParser.ParseList(entry, "WORKER_API_KEYS", parsed, problems);
        Assert.Empty(problems);
        var found = new ApiKeyRing(parsed).Find(key);
        Assert.Equal(("ops-team", ApiRole.Operator), (found?.Name, found?.Role));
        Assert.Null(new ApiKeyRing(parsed).Find(key + "x"));
        Assert.Equal(2, ApiSecurity.NewKeyCommand(["--role", "root"], output, error));
    }

    [Theory]
    [InlineData("just-a-name", "entry 1 is not name:role:sha256:hex")]
    [InlineData("ops:superuser:sha256:0000000000000000000000000000000000000000000000000000000000000000", "the role must be viewer, operator or admin")]
    [InlineData("ops:admin:sha256:1234", "the hash must be 64 hex digits")]
    [InlineData("x:admin:sha256:0000000000000000000000000000000000000000000000000000000000000000", "the name must match")]
    public void MalformedKeyEntries_AreReported_WithoutEchoingThem(string raw, string expected)
    {
        var problems = new List<string>();
        ApiKeyParser.ParseList(raw, "WORKER_API_KEYS", [], problems);

        var problem = Assert.Single(problems);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("0000000000", problem, StringComparison.Ordinal);
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> lines = new();

        public IReadOnlyCollection<string> Lines => lines;

        public ILogger CreateLogger(string categoryName) => new Logger(lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{formatter(state, exception)} {state} {exception}");
        }
    }

    private static string WithoutTraceId(System.Text.Json.JsonElement problem) =>
        string.Join(",", problem.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value.GetRawText()}"));
}
