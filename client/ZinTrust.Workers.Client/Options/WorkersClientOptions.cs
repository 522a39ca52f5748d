namespace ZinTrust.Workers.Client;

/// <summary>How the client reaches the cluster: a localhost silo's gateway, or any cluster whose membership is in PostgreSQL.</summary>
public sealed class WorkersClientOptions
{
    /// <summary>The silo's gateway port (GATEWAY_PORT). Default: 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The PostgreSQL connection string of the cluster's membership table (CLUSTER_DRIVER=postgres on the silos);
    /// null connects to a localhost silo on <see cref="GatewayPort"/>.</summary>
    public string? MembershipConnectionString { get; set; }

    /// <summary>Must match the silo. Default: zintrust-workers.</summary>
    public string ServiceId { get; set; } = "zintrust-workers";

    /// <summary>Must match the silo. Default: zintrust-dev.</summary>
    public string ClusterId { get; set; } = "zintrust-dev";
}
