namespace Orleans.Hosting;

/// <summary>Membership through PostgreSQL for the ZinTrust workers client.</summary>
public static class PostgresMembershipExtensions
{
    /// <summary>
    /// Finds the cluster's gateways in its PostgreSQL membership table (the silos run with <c>CLUSTER_DRIVER=postgres</c>
    /// and the same <c>CLUSTER_ID</c>): <c>builder.AddZinTrustWorkersClient(o => …, c => c.UseZinTrustPostgresMembership(connectionString))</c>.
    /// The connection string is never logged.
    /// </summary>
    public static IClientBuilder UseZinTrustPostgresMembership(this IClientBuilder client, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return client.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = connectionString;
        });
    }
}
