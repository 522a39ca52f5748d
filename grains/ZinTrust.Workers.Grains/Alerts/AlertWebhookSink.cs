using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// POSTs every alert change as JSON to WORKER_ALERT_WEBHOOK_URL. The evaluator only queues (a bounded queue per silo; past its
/// limit the oldest notification is dropped, logged and counted), one loop delivers in order: each attempt is bounded by
/// WORKER_ALERT_WEBHOOK_TIMEOUT, failures that may pass (a network error, a timeout, a 5xx, 408, 429) are retried
/// WORKER_ALERT_WEBHOOK_RETRY_ATTEMPTS times with a doubling backoff (at most a minute), others are not; every failure is
/// logged and counted. The connection goes through the cluster's SSRF guard (<see cref="GuardedHttp"/>): https only, a host on
/// WORKER_ALERT_WEBHOOK_ALLOWLIST (checked at start-up), public addresses only, no redirects. Delivery is at most once per
/// attempt and best effort: notifications queued on a silo that stops are lost (the alert itself is kept in grain storage).
/// </summary>
internal sealed partial class AlertWebhookSink : IAlertSink, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    public const string EventHeader = "X-ZinTrust-Event";
    public const string DeliveryHeader = "X-ZinTrust-Delivery";
    public const string SignatureHeader = "X-ZinTrust-Signature";
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly AlertOptions options;
    private readonly AlertWebhookSeams seams;
    private readonly TimeProvider time;
    private readonly ILogger<AlertWebhookSink> logger;
    private readonly Uri? url;
    private readonly byte[]? secret;
    private readonly Channel<AlertNotification> queue;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lazy<HttpClient> client;
    private Task delivering = Task.CompletedTask;
    private int disposed;

    public AlertWebhookSink(IOptions<AlertOptions> options, AlertWebhookSeams seams, [FromKeyedServices(WorkersClock.Key)] TimeProvider time, ILogger<AlertWebhookSink> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        this.seams = seams;
        this.time = time;
        this.logger = logger;
        url = this.options.WebhookUrl is { } raw ? new Uri(raw.Trim(), UriKind.Absolute) : null;
        secret = this.options.WebhookSecret is { Length: > 0 } key ? System.Text.Encoding.UTF8.GetBytes(key) : null;
        queue = Channel.CreateBounded<AlertNotification>(
            new BoundedChannelOptions(this.options.WebhookQueueLimit) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            Dropped);
        client = new(() => new HttpClient(GuardedHttp.CreateHandler(this.seams, ConnectAsync)) { Timeout = Timeout.InfiniteTimeSpan });
    }

    /// <summary>Whether a webhook is configured (otherwise <see cref="Publish"/> does nothing).</summary>
    public bool Configured => url is not null;

    public void Publish(AlertNotification notification)
    {
        if (url is not null)
        {
            queue.Writer.TryWrite(notification);   // never waits: a full queue drops its oldest
        }
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(AlertWebhookSink), ServiceLifecycleStage.Active, _ => Start(), StopAsync);

    /// <summary>Starts the delivery loop (the silo does at start; tests may).</summary>
    public Task Start()
    {
        if (url is not null && delivering.IsCompleted)
        {
            var token = stopping.Token;
            delivering = Task.Run(() => DeliverAllAsync(token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops delivering; what is still queued is dropped.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        await stopping.CancelAsync();
        await delivering.WaitAsync(cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    /// <summary>Idempotent: the container disposes the one instance under each name it is registered by.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        queue.Writer.TryComplete();
        stopping.Cancel();
        stopping.Dispose();
        if (client.IsValueCreated)
        {
            client.Value.Dispose();
        }
    }

    /// <summary>The JSON body of a notification.</summary>
    internal static byte[] Body(AlertNotification n, string deliveryId)
    {
        ArgumentNullException.ThrowIfNull(n);
        var a = n.Alert;
        var payload = new WebhookPayload(
            "alert." + AlertRules.Name(n.Change),
            deliveryId,
            n.At,
            n.Silo,
            new WebhookAlert(
                a.Id,
                AlertRules.Name(a.Rule),
                AlertRules.Name(a.SubjectKind),
                a.Subject,
                AlertRules.Name(a.Severity),
                n.PreviousSeverity is { } previous ? AlertRules.Name(previous) : null,
                a.IsActive ? "active" : "resolved",
                a.Value,
                a.Peak,
                a.Threshold,
                a.ClearThreshold,
                a.Unit,
                a.Since,
                a.RaisedAt,
                a.LastSeenAt,
                a.ResolvedAt,
                a.Message,
                a.Resolution));
        return JsonSerializer.SerializeToUtf8Bytes(payload, Json);
    }

    private async Task DeliverAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var notification in queue.Reader.ReadAllAsync(cancellationToken))
            {
                await DeliverAsync(notification, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    private async Task DeliverAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        var delivery = Guid.NewGuid().ToString("N");
        var body = Body(notification, delivery);
        var eventName = "alert." + AlertRules.Name(notification.Change);
        for (int attempt = 0; ; attempt++)
        {
            string? failure;
            bool retry;
            try
            {
                var status = await PostAsync(body, eventName, delivery, cancellationToken);
                if (status is >= 200 and < 300)
                {
                    Count("delivered");
                    LogDelivered(logger, eventName, notification.Alert.Id, attempt + 1);
                    return;
                }

                failure = $"the webhook answered {status}";
                retry = status is >= 500 or 408 or 429;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                failure = $"no answer within {options.WebhookTimeout.TotalMilliseconds:0} ms";
                retry = true;
            }
            catch (HttpRequestException ex) when (GuardedHttp.RefusalIn(ex) is { } refusal)
            {
                LogRefused(logger, refusal.Host, refusal.Address?.ToString() ?? "(none)", refusal.Reason);
                failure = $"refused: {refusal.Message}; alert webhooks connect to public addresses only";
                retry = false;
            }
            catch (HttpRequestException ex)
            {
                failure = ex.Message;
                retry = true;
            }

            if (!retry || attempt >= options.WebhookRetryAttempts)
            {
                Count("failed");
                LogFailed(logger, eventName, notification.Alert.Id, attempt + 1, failure);
                return;
            }

            var delay = Backoff(attempt);
            LogRetrying(logger, eventName, notification.Alert.Id, attempt + 1, delay, failure);
            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var delay = options.WebhookRetryBackoff * Math.Pow(2, Math.Min(attempt, 16));
        return delay > MaxBackoff ? MaxBackoff : delay;
    }

    private async Task<int> PostAsync(byte[] body, string eventName, string delivery, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(options.WebhookTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.ParseAdd("ZinTrust-Workers-Alerts/1");
        request.Headers.Add(EventHeader, eventName);
        request.Headers.Add(DeliveryHeader, delivery);
        if (secret is not null)
        {
            request.Headers.Add(SignatureHeader, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body)));
        }

        using var response = await client.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
        return (int)response.StatusCode;
    }

    private ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        GuardedHttp.ConnectAsync(seams, context, cancellationToken);

    private void Dropped(AlertNotification notification)
    {
        Count("dropped");
        LogDropped(logger, AlertRules.Name(notification.Change), notification.Alert.Id, options.WebhookQueueLimit);
    }

    private static void Count(string outcome) =>
        WorkersInstruments.AlertWebhookDeliveries.Add(1, new KeyValuePair<string, object?>(WorkersInstruments.OutcomeTag, outcome));

    private sealed record WebhookPayload(string Event, string DeliveryId, DateTimeOffset At, string Silo, WebhookAlert Alert);

    private sealed record WebhookAlert(
        string Id,
        string Rule,
        string SubjectKind,
        string Subject,
        string Severity,
        string? PreviousSeverity,
        string State,
        double Value,
        double Peak,
        double Threshold,
        double ClearThreshold,
        string Unit,
        DateTimeOffset Since,
        DateTimeOffset RaisedAt,
        DateTimeOffset LastSeenAt,
        DateTimeOffset? ResolvedAt,
        string Message,
        string? Resolution);
}
