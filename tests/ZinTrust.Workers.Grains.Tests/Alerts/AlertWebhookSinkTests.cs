using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// The alert webhook against an https server on 127.0.0.1. The real address policy refuses loopback, so these sinks get the
/// test-only seam (<see cref="AlertWebhookSeams"/>) that allows exactly 127.0.0.1 and trusts the server's certificate by its
/// hash; one test keeps the real policy and shows the server is never reached.
/// </summary>
public sealed class AlertWebhookSinkTests
{
    private const string Secret = "webhook-test-secret";
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Delivery_RetriesA500_AsTheSameSignedDelivery_UntilTheWebhookTakesIt()
    {
        await using var server = new TestWebhookServer(500, 503);
        using var meter = new MeterRecorder("zintrust.alerts.webhook.deliveries");
        using var sink = Sink(server, LoopbackOnly);
        await sink.Start();

        sink.Publish(Notification("alert-1", AlertChange.Raised));
        var requests = await Eventually.Get(() => Task.FromResult(server.Requests), r => r.Count == 3, "a delivery after two failed attempts");
        await Eventually.True(() => meter.Sum("zintrust.alerts.webhook.deliveries", ("zintrust.outcome", "delivered")) == 1, "one delivery counted");

        Assert.All(requests, r => Assert.Equal("POST /hooks/alerts HTTP/1.1", r.RequestLine));
        Assert.Single(requests.Select(r => r.Headers["x-zintrust-delivery"]).Distinct());
        Assert.Single(requests.Select(r => r.Body).Distinct());
        var request = requests[^1];
        Assert.Equal("alert.raised", request.Headers["x-zintrust-event"]);
        Assert.StartsWith("application/json", request.Headers["content-type"], StringComparison.Ordinal);
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(request.Body)));
        Assert.Equal(signature, request.Headers["x-zintrust-signature"]);
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal("alert.raised", root.GetProperty("event").GetString());
        Assert.Equal(request.Headers["x-zintrust-delivery"], root.GetProperty("deliveryId").GetString());
        var alert = root.GetProperty("alert");
        Assert.Equal(("alert-1", "queue.depth", "queue", "emails", "critical", "active"),
            (alert.GetProperty("id").GetString(), alert.GetProperty("rule").GetString(), alert.GetProperty("subjectKind").GetString(),
             alert.GetProperty("subject").GetString(), alert.GetProperty("severity").GetString(), alert.GetProperty("state").GetString()));
        Assert.Equal(1500, alert.GetProperty("value").GetDouble());
        Assert.Equal(0, meter.Sum("zintrust.alerts.webhook.deliveries", ("zintrust.outcome", "failed")));
    }

    [Fact]
    public async Task Delivery_IsNotRetried_WhenTheWebhookRefusesTheRequest_AndTheNextOneFollowsInOrder()
    {
        await using var server = new TestWebhookServer(400);
        using var sink = Sink(server, LoopbackOnly);
        await sink.Start();

        sink.Publish(Notification("alert-1", AlertChange.Raised));
        sink.Publish(Notification("alert-1", AlertChange.Resolved));
        var requests = await Eventually.Get(() => Task.FromResult(server.Requests), r => r.Count == 2, "both notifications tried");

        Assert.Equal(["alert.raised", "alert.resolved"], requests.Select(r => r.Headers["x-zintrust-event"]));
        Assert.Contains("\"state\":\"resolved\"", requests[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_IsRefusedWithoutAConnection_WhenTheRealAddressPolicyMeetsTheLoopbackServer()
    {
        await using var server = new TestWebhookServer();
        using var meter = new MeterRecorder("zintrust.alerts.webhook.deliveries");
        using var sink = Sink(server, PublicAddressPolicy.Refusal);
        await sink.Start();

        sink.Publish(Notification("alert-9", AlertChange.Raised));

        await Eventually.True(() => meter.Sum("zintrust.alerts.webhook.deliveries", ("zintrust.outcome", "failed")) >= 1, "the refused delivery counted as failed");
        Assert.Equal(0, server.Connections);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task TheEvaluator_PostsRaisesToTheWebhook_ThroughTheSilosSink()
    {
        await using var server = new TestWebhookServer();
        var seams = Seams(server, LoopbackOnly);
        await using var c = await WorkersCluster.StartAsync(
            silos: 1,
            fakeClock: true,
            workers: w => w.ConfigureAlerts(o =>
            {
                o.Interval = TimeSpan.FromHours(1);
                o.RaiseAfter = 1;
                o.QueueDepth = new AlertThreshold { Warning = 1 };
                o.WebhookUrl = server.Url;
                o.WebhookAllowList = ["localhost"];
            }),
            silo: (_, s) => s.Services.AddSingleton(seams));
        await c.Worker("hook-worker").Create(new WorkerDefinition { Name = "hook-worker", QueueName = "q-hook", Processor = "test" });
        await c.Queue("q-hook").EnqueueBatch([new() { Payload = "1" }, new() { Payload = "2" }]);

        await c.Client.GetGrain<IAlertTicks>(IAlertGrain.Key).Evaluate();

        var request = Assert.Single(await Eventually.Get(() => Task.FromResult(server.Requests), r => r.Count == 1, "the raise posted"));
        Assert.Contains("\"subject\":\"q-hook\"", request.Body, StringComparison.Ordinal);
        Assert.False(request.Headers.ContainsKey("x-zintrust-signature"));   // no secret configured
        Assert.True((await c.Client.GetGrain<IAlertGrain>(IAlertGrain.Key).GetAlerts(AlertStateFilter.All, 10)).Status.WebhookConfigured);
    }

    /// <summary>Test-only: 127.0.0.1 (where the test server is) is allowed; everything else follows the real policy.</summary>
    private static string? LoopbackOnly(IPAddress address) => address.Equals(IPAddress.Loopback) ? null : PublicAddressPolicy.Refusal(address);

    private static AlertWebhookSeams Seams(TestWebhookServer server, Func<IPAddress, string?> policy) => new()
    {
        Resolve = (host, _) => Task.FromResult(host == "localhost" ? new[] { IPAddress.Loopback } : []),
        AddressRefusal = policy,
        ConfigureHandler = handler => handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => server.Trusts(certificate),
    };

    private static AlertWebhookSink Sink(TestWebhookServer server, Func<IPAddress, string?> policy) => new(
        Microsoft.Extensions.Options.Options.Create(new AlertOptions
        {
            WebhookUrl = server.Url,
            WebhookAllowList = ["localhost"],
            WebhookSecret = Secret,
            WebhookRetryAttempts = 3,
            WebhookRetryBackoff = TimeSpan.FromMilliseconds(10),
            WebhookTimeout = TimeSpan.FromSeconds(5),
        }),
        Seams(server, policy),
        TimeProvider.System,
        NullLogger<AlertWebhookSink>.Instance);

    private static AlertNotification Notification(string id, AlertChange change) => new(
        new Alert
        {
            Id = id,
            Rule = AlertRule.QueueDepth,
            SubjectKind = AlertSubjectKind.Queue,
            Subject = "emails",
            Severity = AlertSeverity.Critical,
            Value = 1500,
            Peak = 1500,
            Threshold = 1000,
            ClearThreshold = 900,
            Unit = "jobs",
            Since = T0,
            RaisedAt = T0,
            LastSeenAt = T0,
            ResolvedAt = change == AlertChange.Resolved ? T0.AddMinutes(5) : null,
            Message = "Queue 'emails': 1,500 waiting jobs, above the critical threshold of 1,000.",
            Resolution = change == AlertChange.Resolved ? "Back to 0 waiting jobs." : null,
        },
        change,
        null,
        T0,
        "silo-test");
}
