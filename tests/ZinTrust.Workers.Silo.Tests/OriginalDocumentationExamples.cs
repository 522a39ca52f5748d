using System.Net;
using System.Text.Json;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>
/// The original documentation's HTTP examples as tables (see <see cref="DocumentedExample"/>), each in the order they are walked:
/// <see cref="Walk"/> is the main walk; the other tables walk the examples of features that came later (a definition's health
/// check and infrastructure, alerts and trends, metrics by period), each in its own test.
/// </summary>
internal static class OriginalDocumentationExamples
{
    /// <summary>The workers the walks create under the document's names; each walk deletes them first.</summary>
    public static readonly string[] Workers = ["email-sender", "email-worker", "my-worker", "monitoring-worker", "quiet-worker"];

    private const string Canary = "HTTP API › Canary Deployments";
    private const string Versioning = "HTTP API › Versioning";
    private const string Resources = "HTTP API › Resource Monitoring Control";
    private const string ResourcesFeature = "Features › 3. Resource Monitoring Control › HTTP API";
    private const string Health = "HTTP API › Health Monitoring";
    private const string Core = "HTTP API › Core Operations";
    private const string Manual = "Worker Auto-Start Configuration › Manual Worker Control › API Endpoints";
    private const string QuickStart = "Quick Start › 3. HTTP API";
    private const string Failing = "Troubleshooting › Jobs Failing Repeatedly";
    private const string Crashed = "Troubleshooting › Worker Crashed or Hung";

    /// <summary>The keys of the original's <c>POST /api/resources/start|stop</c> answer, and the three we add.</summary>
    private static readonly string[] ResourceActionFields = ["ok", "message", "running", "reason", "detail"];

    public static readonly DocumentedExample[] Walk =
    [
        // Quick Start: create (no processor: the worker runs the one registered under its own name), start, status, health.
        new(364, QuickStart, "POST /api/workers", """{"name": "email-sender", "queueName": "emails", "concurrency": 5}""", HttpStatusCode.Created)
        {
            Location = "/api/workers/email-sender",
            // Not started: neither its autoStart nor WORKER_AUTO_START is set (the auto-start table's "undefined | null" row).
            Expect = [("ok", true), ("worker.name", "email-sender"), ("worker.queueName", "emails"), ("worker.concurrency", 5), ("worker.processor", "email-sender"), ("worker.status", "stopped")],
            Differs = "status-codes",
        },
        new(368, QuickStart, "POST /api/workers/email-sender/start") { Expect = [("ok", true), ("worker.status", "running")] },
        new(370, QuickStart, "GET /api/workers/email-sender/status")
        {
            Expect = [("name", "email-sender"), ("status", "running"), ("version", "1.0.0"), ("queueName", "emails"), ("concurrency", 5), ("replicas", JsonValueKind.Array)],
            Differs = "the-status-route",
        },
        new(372, QuickStart, "GET /api/workers/email-sender/health") { Expect = [("ok", true), ("name", "email-sender"), ("status", "running"), ("health", JsonValueKind.Object)] },

        // Manual worker control, then the auto-start section's start.
        new(295, Manual, "POST /api/workers/{workerName}/start") { Name = "email-sender", Expect = [("ok", true), ("worker.status", "running")] },
        new(297, Manual, "POST /api/workers/{workerName}/stop") { Name = "email-sender", Expect = [("ok", true), ("worker.status", "stopped")] },
        new(299, Manual, "GET /api/workers/{workerName}/status") { Name = "email-sender", Expect = [("name", "email-sender"), ("status", "stopped")], Differs = "the-status-route" },
        new(301, Manual, "GET /api/workers")
        {
            // The columns of the original's worker:list: Name, Status, Version, Queue, Concurrency.
            Check = b => Assert.Contains(b.GetProperty("workers").EnumerateArray(), w =>
                w.Str("name") == "email-sender" && w.Str("status") == "stopped" && w.Str("version") == "1.0.0" && w.Str("queueName") == "emails" && w.GetProperty("concurrency").GetInt32() == 5),
            Differs = "the-status-route",
        },
        new(205, "1. Define Workers › Auto-start behavior", "POST /api/workers/:name/start") { Name = "email-sender", Expect = [("ok", true), ("worker.status", "running")] },

        // HTTP API › Core Operations (its create example names a health check: DefinitionExamples).
        new(602, Core, "POST /api/workers/:name/start") { Name = "email-sender", Expect = [("ok", true), ("worker.status", "running")] },
        new(603, Core, "POST /api/workers/:name/stop") { Name = "email-sender", Expect = [("ok", true), ("worker.status", "stopped")] },
        new(604, Core, "POST /api/workers/:name/restart") { Name = "email-sender", Expect = [("ok", true), ("worker.status", "running")] },
        new(605, Core, "GET /api/workers/:name/status")
        {
            Name = "email-sender",
            Expect = [("name", "email-sender"), ("status", "running"), ("queueName", "emails"), ("successRate", null), ("replicas", JsonValueKind.Array)],
            Check = b => Assert.False(b.TryGetProperty("ok", out _), "the default shape is this API's own, not {ok, status}"),
            Differs = "the-status-route",
        },
        new(605, Core + " (the documented response, asked for with ?format=original)", "GET /api/workers/:name/status?format=original")
        {
            Name = "email-sender",
            Expect =
            [
                ("ok", true), ("status.name", "email-sender"), ("status.state", "running"), ("status.version", "1.0.0"), ("status.queue", "emails"),
                ("status.concurrency", 5), ("status.metrics.completed", 0), ("status.metrics.failed", 0), ("status.metrics.successRate", null),
                ("status.metrics.avgDuration", 0),
            ],
            Check = b =>
            {
                Keys(b, "ok", "status");
                Keys(b.GetProperty("status"), "name", "state", "version", "health", "queue", "concurrency", "metrics");
                Keys(b.GetProperty("status").GetProperty("metrics"), "completed", "failed", "successRate", "avgDuration");
                Assert.Contains(b.GetProperty("status").GetProperty("health").ValueKind, new[] { JsonValueKind.Number, JsonValueKind.Null });
            },
            Differs = "the-status-route",
        },

        // HTTP API › Health Monitoring.
        new(624, Health, "GET /api/workers/:name/health") { Name = "email-sender", Expect = [("ok", true), ("name", "email-sender"), ("health", JsonValueKind.Object)] },
        new(625, Health, "POST /api/workers/:name/monitoring/start") { Name = "email-sender", Expect = [("ok", true), ("worker.monitoring", true)], Differs = "health-monitoring" },
        new(626, Health, "POST /api/workers/:name/monitoring/stop") { Name = "email-sender", Expect = [("ok", true), ("worker.monitoring", false)], Differs = "health-monitoring" },
        new(627, Health, "GET /api/workers/:name/monitoring/history?hours=24")
        {
            Name = "email-sender",
            Expect = [("ok", true), ("name", "email-sender"), ("monitoring", false), ("from", JsonValueKind.String), ("samples", JsonValueKind.Array)],
            Differs = "health-monitoring",
        },

        // HTTP API › Resource Monitoring Control, with the gate's example workers (line 246: "Result: Resource monitoring starts").
        new(246, "Worker Auto-Start Configuration › Resource Monitoring Environment Gate › Worker 1, with the queueName and processor a create needs", "POST /api/workers",
            """{"name": "monitoring-worker", "queueName": "monitoring", "processor": "echo", "features": {"resourceMonitoring": true}}""", HttpStatusCode.Created)
        {
            Expect = [("worker.features.resourceMonitoring", true)],
            Differs = "worker-definitions",
        },
        new(253, "Worker Auto-Start Configuration › Resource Monitoring Environment Gate › Worker 2, with the queueName and processor a create needs", "POST /api/workers",
            """{"name": "quiet-worker", "queueName": "quiet", "processor": "echo", "features": {"resourceMonitoring": false}}""", HttpStatusCode.Created)
        {
            Expect = [("worker.features.resourceMonitoring", false)],
            Differs = "worker-definitions",
        },
        new(629, Resources, "POST /api/resources/stop")
        {
            Expect = [("ok", true), ("message", "Resource monitoring stopped"), ("running", false), ("reason", "stopped-by-operator")],
            Check = b => Keys(b, ResourceActionFields),
            Differs = "resource-monitoring-and-costs",
        },
        new(634, Resources, "POST /api/resources/start")
        {
            Expect = [("ok", true), ("message", "Resource monitoring started")],
            Check = b => Keys(b, ResourceActionFields),
            Differs = "resource-monitoring-and-costs",
        },
        new(639, Resources, "GET /api/resources/current")
        {
            // Started, and asked for by monitoring-worker alone (quiet-worker says false): the gate's table.
            Until = b => b.GetProperty("running").GetBoolean(),
            Expect = [("ok", true), ("reason", "running"), ("silos", JsonValueKind.Array)],
            Check = b => Assert.Equal(["monitoring-worker"], b.GetProperty("requestingWorkers").EnumerateArray().Select(w => w.GetString())),
        },
        new(640, Resources, "GET /api/resources/history?hours=24") { Expect = [("ok", true), ("count", JsonValueKind.Number), ("snapshots", JsonValueKind.Array)] },
        new(766, ResourcesFeature, "POST /api/resources/stop")
        {
            JsonContentType = true,
            Expect = [("ok", true), ("message", "Resource monitoring stopped"), ("running", false)],
            Check = b => Keys(b, ResourceActionFields),
            Differs = "resource-monitoring-and-costs",
        },
        new(772, ResourcesFeature, "POST /api/resources/start")
        {
            JsonContentType = true,
            Expect = [("ok", true), ("message", "Resource monitoring started"), ("running", true), ("reason", "running")],
            Check = b => Keys(b, ResourceActionFields),
            Differs = "resource-monitoring-and-costs",
        },
        new(789, "Features › 3. Resource Monitoring Control › Scenario: Production Debugging (also line 798's fetch)", "POST /api/resources/stop")
        {
            Expect = [("ok", true), ("message", "Resource monitoring stopped"), ("running", false)],
            Differs = "resource-monitoring-and-costs",
        },
        new(792, "Features › 3. Resource Monitoring Control › Scenario: Production Debugging (also line 805's fetch)", "POST /api/resources/start")
        {
            Expect = [("ok", true), ("message", "Resource monitoring started"), ("running", true)],
            Differs = "resource-monitoring-and-costs",
        },

        // The only change to every example is the key: without one, and with a role too low.
        new(848, "Features › 3. Resource Monitoring Control › Error Handling", "GET /api/workers")
        {
            Check = b => Assert.Contains(b.GetProperty("workers").EnumerateArray(), w => w.Str("name") == "email-sender"),
        },
        new(848, "Features › 3. Resource Monitoring Control › Error Handling, without an API key", "GET /api/workers", Status: HttpStatusCode.Unauthorized)
        {
            Role = null,
            Expect = [("code", "UNAUTHORIZED")],
            Differs = "authentication-and-roles",
        },
        new(629, Resources + ", with a viewer's key", "POST /api/resources/stop", Status: HttpStatusCode.Forbidden)
        {
            Role = ApiRole.Viewer,
            Expect = [("code", "FORBIDDEN")],
            Differs = "authentication-and-roles",
        },

        // HTTP API › Versioning, and the Versioning feature's rollback (activating the older version).
        new(644, Versioning, "POST /api/workers/:name/versions", """{"version": "2.0.0", "description": "Added retry logic", "processor": "EmailProcessorV2"}""", HttpStatusCode.Created)
        {
            Name = "email-sender",
            Location = "/api/workers/email-sender/versions",
            Expect = [("version", "2.0.0"), ("description", "Added retry logic"), ("processor", "EmailProcessorV2"), ("concurrency", null), ("active", false)],   // null: the worker's own
            Differs = "status-codes",
        },
        new(651, Versioning, "GET /api/workers/:name/versions")
        {
            Name = "email-sender",
            Expect = [("ok", true), ("active", "1.0.0"), ("versions.0.version", "1.0.0"), ("versions.0.processor", "email-sender"), ("versions.1.version", "2.0.0"), ("versions.1.processor", "EmailProcessorV2")],
        },
        new(652, Versioning + " (a rolling update of the running worker)", "POST /api/workers/:name/versions/:version/activate")
        {
            Name = "email-sender",
            Version = "2.0.0",
            Expect = [("ok", true), ("worker.version", "2.0.0"), ("worker.processor", "EmailProcessorV2"), ("worker.status", "running")],
            Differs = "versions-and-canaries",
        },
        new(894, "Features › 6. Versioning: \"Rollback if needed\", activateVersion('email-sender', '1.0.0') over HTTP", "POST /api/workers/:name/versions/:version/activate")
        {
            Name = "email-sender",
            Version = "1.0.0",
            Expect = [("ok", true), ("worker.version", "1.0.0"), ("worker.processor", "email-sender")],
        },

        // HTTP API › Canary Deployments (status.health and status.trafficPercentage: the Examples' canary, lines 1146-1147).
        new(654, Canary, "POST /api/workers/:name/canary/start", """{"newVersion": "2.0.0", "trafficPercentage": 10, "duration": 3600000}""", HttpStatusCode.Created)
        {
            Name = "email-sender",
            Location = "/api/workers/email-sender/canary/status",
            Expect = [("ok", true), ("state", "running"), ("trafficPercentage", 10), ("stableVersion", "1.0.0"), ("canaryVersion", "2.0.0"), ("settings.duration", 3600000)],
            Differs = "versions-and-canaries",
        },
        new(661, Canary, "POST /api/workers/:name/canary/pause") { Name = "email-sender", Expect = [("ok", true), ("state", "paused"), ("trafficPercentage", 10)] },
        new(662, Canary, "POST /api/workers/:name/canary/rollback") { Name = "email-sender", Expect = [("ok", true), ("state", "rolledBack"), ("trafficPercentage", 0)] },
        new(663, Canary, "GET /api/workers/:name/canary/status")
        {
            Name = "email-sender",
            Expect = [("ok", true), ("state", "rolledBack"), ("trafficPercentage", 0), ("health", JsonValueKind.Number), ("versions.stable.version", "1.0.0")],
        },

        // The failure and troubleshooting sections' worker, and a job that fails for the dead-letter examples.
        new(0, "a worker named as the troubleshooting examples name it, running the shipped demo processor, with a circuit breaker", "POST /api/workers",
            """{"name": "my-worker", "queueName": "my-queue", "processor": "demo", "features": {"circuitBreaker": true}}""", HttpStatusCode.Created) { Ours = true },
        new(0, "start it", "POST /api/workers/my-worker/start") { Ours = true },
        new(696, "Features › 2. Worker Failure Behavior › Recovery Options", "POST /api/workers/my-worker/restart") { Expect = [("ok", true), ("worker.status", "running"), ("worker.generation", 2)] },
        new(1160, Crashed + " › Manual Restart", "POST /api/workers/my-worker/restart") { Expect = [("ok", true), ("worker.status", "running"), ("worker.generation", 3)] },
        new(1161, Crashed + " › Check Health Status", "GET /api/workers/my-worker/monitoring/history")
        {
            Until = b => b.GetProperty("samples").GetArrayLength() >= 1,
            Expect = [("ok", true), ("name", "my-worker"), ("monitoring", true), ("samples.0.status", "running")],
            Differs = "health-monitoring",
        },
        new(1162, Crashed + " › Investigate Failure", "GET /api/workers/my-worker/metrics")
        {
            Expect = [("name", "my-worker"), ("completed", 0), ("failed", 0), ("successRate", null), ("averageDurationMs", 0), ("queue.queue", "my-queue")],
            Differs = "metrics",
        },
        new(0, "a job that fails on its only attempt", "POST /api/queues/my-queue/jobs", """{"payload": {"fail": true, "steps": 1}, "attempts": 1}""", HttpStatusCode.Created) { Ours = true },
        new(1194, Failing, "GET /api/workers/:name/circuit-breaker/state") { Name = "my-worker", Expect = [("ok", true), ("circuit.state", "closed"), ("circuit.options.failureThreshold", 5)] },
        new(1195, Failing, "GET /api/workers/:name/dead-letter-queue/list")
        {
            Name = "my-worker",
            Until = b => b.GetProperty("total").GetInt32() == 1,
            Expect = [("ok", true), ("worker", "my-worker"), ("jobs.0.state", "failed"), ("jobs.0.queue", "my-queue"), ("jobs.0.error", "InvalidOperationException: demo failure requested")],
            Differs = "dead-letters",
        },
        new(1196, Failing, "POST /api/workers/:name/dead-letter-queue/retry") { Name = "my-worker", Expect = [("ok", true), ("worker", "my-worker"), ("retried", 1)], Differs = "dead-letters" },

        // The validation section's error response format (the document shows the answer, not its request).
        new(1004, "Security & Validation › Error Response Format, for the create example with a name that breaks the rule", "POST /api/workers/create",
            """{"name": "email worker!", "queueName": "emails"}""", HttpStatusCode.BadRequest)
        {
            Expect = [("code", "INVALID_WORKER_NAME"), ("error", "Bad Request"), ("message", "Worker name must match ^[a-zA-Z0-9_-]{3,50}$."), ("status", 400)],
            Differs = "errors",
        },

        // "Worker active status" (line 188): the fragment {"name": "email-sender", "activeStatus": false} by the update route.
        new(188, "1. Define Workers › Worker active status (the worker named by the path)", "PATCH /api/workers/email-sender", """{"activeStatus": false}""")
        {
            Expect = [("ok", true), ("worker.activeStatus", false)],
            Differs = "worker-definitions",
        },
        new(188, "1. Define Workers › Worker active status: \"hidden by default in listings\"", "GET /api/workers")
        {
            Check = b => Assert.DoesNotContain(b.GetProperty("workers").EnumerateArray(), w => w.Str("name") == "email-sender"),
        },
        new(188, "1. Define Workers › Worker active status: \"Inactive workers will not start\"", "POST /api/workers/email-sender/start", Status: HttpStatusCode.Gone)
        {
            Expect = [("code", "WORKER_INACTIVE")],
            Differs = "status-codes",
        },
    ];

    /// <summary>The create examples that name a health check, an infrastructure block and the healthMonitoring flag (the worker
    /// definition's <c>healthCheck</c>, <c>infrastructure</c> and <c>healthMonitoring</c>).</summary>
    public static readonly DocumentedExample[] DefinitionExamples =
    [
        new(593, Core, "POST /api/workers", """
            {
            "name": "email-sender",
            "queueName": "emails",
            "concurrency": 5,
            "processor": "EmailProcessor",
            "healthCheck": "EmailHealthCheck"
            }
            """, HttpStatusCode.Created)
        {
            Location = "/api/workers/email-sender",
            Expect = [("ok", true), ("worker.name", "email-sender"), ("worker.processor", "EmailProcessor"), ("worker.healthCheck.kind", "registered"), ("worker.healthCheck.name", "EmailHealthCheck"), ("worker.concurrency", 5)],
            Differs = "status-codes",
        },
        new(0, "start the worker whose definition names the health check", "POST /api/workers/email-sender/start") { Ours = true },
        new(624, Health + ": the named check ran", "GET /api/workers/:name/health")
        {
            Name = "email-sender",
            Until = b => b.GetProperty("health").GetProperty("healthy").ValueKind == JsonValueKind.True,
            Expect = [("ok", true), ("health.message", SiloFactory.EmailHealthMessage)],
        },
        new(978, "Security & Validation › Validation Examples › Worker Creation with Full Validation", "POST /api/workers/create", """
            {
            "name": "email-worker",
            "queueName": "emails",
            "version": "1.0.0",
            "processor": "./processors/EmailProcessor.ts",
            "infrastructure": {
            "driver": "redis",
            "persistence": { "driver": "db" }
            },
            "features": {
            "observability": true,
            "healthMonitoring": true
            }
            }
            """, HttpStatusCode.BadRequest)
        {
            // A TypeScript file is not a processor here; the rest of the body is accepted (the next row).
            Expect = [("code", "INVALID_PROCESSOR")],
            Differs = "processors",
        },
        new(978, "Security & Validation › Validation Examples, with a registered processor instead of the TypeScript file", "POST /api/workers/create", """
            {
            "name": "email-worker",
            "queueName": "emails",
            "version": "1.0.0",
            "processor": "EmailProcessor",
            "infrastructure": {
            "driver": "redis",
            "persistence": { "driver": "db" }
            },
            "features": {
            "observability": true,
            "healthMonitoring": true
            }
            }
            """, HttpStatusCode.Created)
        {
            Location = "/api/workers/email-worker",
            Expect = [("ok", true), ("worker.name", "email-worker"), ("worker.version", "1.0.0"), ("worker.features.observability", true), ("worker.features.healthMonitoring", true)],
            Differs = "worker-definitions",
        },
    ];

    /// <summary>Resource alerts and trends. The document names the routes and no fields: the answers are ours (the rules in
    /// force and the alerts; a line per metric and subject), checked for their lists.</summary>
    public static readonly DocumentedExample[] Alerts =
    [
        new(641, Resources, "GET /api/resources/alerts")
        {
            Check = b =>
            {
                Assert.True(b.GetProperty("ok").GetBoolean());
                Assert.Equal(JsonValueKind.Array, b.GetProperty("alerts").ValueKind);
                Assert.Contains(b.GetProperty("rules").EnumerateArray(), r => r.GetProperty("rule").GetString() == "queue.depth");
            },
        },
        new(642, Resources, "GET /api/resources/trends")
        {
            Check = b =>
            {
                Assert.True(b.GetProperty("ok").GetBoolean());
                Assert.Equal(JsonValueKind.Array, b.GetProperty("trends").ValueKind);
            },
        },
        new(641, Resources + ", with a viewer's key", "GET /api/resources/alerts") { Role = ApiRole.Viewer },
        new(642, Resources + ", with a viewer's key", "GET /api/resources/trends") { Role = ApiRole.Viewer },
    ];

    /// <summary>Durable metrics by period on the troubleshooting section's metrics route. The answer names its period; the rest
    /// of its shape is ours (not in the original document).</summary>
    public static readonly DocumentedExample[] MetricsByPeriod =
    [
        new(0, "the troubleshooting examples' worker, on the echo processor", "POST /api/workers",
            """{"name": "my-worker", "queueName": "my-queue", "processor": "echo"}""", HttpStatusCode.Created) { Ours = true },
        new(0, "start it", "POST /api/workers/my-worker/start") { Ours = true },
        new(0, "a job it completes", "POST /api/queues/my-queue/jobs", """{"payload": {"to": "ada@example.com"}}""", HttpStatusCode.Created) { Ours = true },
        new(1162, Crashed + " › Investigate Failure", "GET /api/workers/my-worker/metrics")
        {
            Until = b => b.GetProperty("completed").GetInt64() == 1,
            Differs = "metrics",
        },
        new(1162, Crashed + " › Investigate Failure, by hour", "GET /api/workers/my-worker/metrics?period=hour") { Expect = [("period", "hour")], Differs = "metrics" },
        new(1162, Crashed + " › Investigate Failure, by day", "GET /api/workers/my-worker/metrics?period=day") { Expect = [("period", "day")], Differs = "metrics" },
        new(1162, Crashed + " › Investigate Failure, by month", "GET /api/workers/my-worker/metrics?period=month") { Expect = [("period", "month")], Differs = "metrics" },
        new(1162, Crashed + " › Investigate Failure, by a period that is not one", "GET /api/workers/my-worker/metrics?period=week", Status: HttpStatusCode.BadRequest)
        {
            Expect = [("code", "INVALID_QUERY")],
            Differs = "metrics",
        },
    ];

    /// <summary>Every table, for the checks that hold for all of them.</summary>
    public static IEnumerable<DocumentedExample> All => [.. Walk, .. DefinitionExamples, .. Alerts, .. MetricsByPeriod];

    /// <summary>The object has exactly these keys (the document's shape, nothing more or less).</summary>
    private static void Keys(JsonElement e, params string[] keys) =>
        Assert.Equal(keys.Order(StringComparer.Ordinal), e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
}
