namespace ZinTrust.Workers.Client;

/// <summary>
/// How the client reaches a localhost silo (the gateway port; other clusters: the clustering argument of AddZinTrustWorkersClient),
/// how it retries enqueues, and how it awaits results. Validated at start-up by <see cref="WorkersClientOptionsValidator"/>.
/// </summary>
public sealed class WorkersClientOptions
{
    /// <summary>The silo's gateway port (GATEWAY_PORT). Default: 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>TLS to the silos' gateways, when the silos run with SILO_TLS_*: the client's certificate (silos outside
    /// Development require one) and the authorities the silos' certificates chain to. Null: plain TCP.</summary>
    public WorkersClientTls? Tls { get; set; }

    /// <summary>Must match the silo. Default: zintrust-workers.</summary>
    public string ServiceId { get; set; } = "zintrust-workers";

    /// <summary>Must match the silo. Default: zintrust-dev.</summary>
    public string ClusterId { get; set; } = "zintrust-dev";

    /// <summary>Retries of enqueues that failed with a transient error. Defaults: see <see cref="EnqueueRetryOptions"/>.</summary>
    public EnqueueRetryOptions EnqueueRetry { get; set; } = new();

    /// <summary>How concurrent single enqueues to one queue share grain calls. Defaults: see <see cref="EnqueueCoalescingOptions"/>.</summary>
    public EnqueueCoalescingOptions EnqueueCoalescing { get; set; } = new();

    /// <summary>How awaiting a job's result learns that it settled. Defaults: see <see cref="ResultWaitOptions"/>.</summary>
    public ResultWaitOptions ResultWait { get; set; } = new();
}
