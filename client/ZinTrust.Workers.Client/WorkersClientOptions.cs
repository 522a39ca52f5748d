namespace ZinTrust.Workers.Client;

/// <summary>How the client reaches the cluster. This first version connects to a localhost silo's gateway.</summary>
public sealed class WorkersClientOptions
{
    /// <summary>The silo's gateway port (GATEWAY_PORT). Default: 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Must match the silo. Default: zintrust-workers.</summary>
    public string ServiceId { get; set; } = "zintrust-workers";

    /// <summary>Must match the silo. Default: zintrust-dev.</summary>
    public string ClusterId { get; set; } = "zintrust-dev";
}
