using Npgsql;
using Orleans.Runtime;
using ZinTrust.Workers.Redis;

namespace ZinTrust.Workers.Silo;

/// <summary>
/// What <c>/health/ready</c> reports: this silo is an active cluster member, and every backend it was
/// configured with (Redis, PostgreSQL) answers within two seconds.
/// </summary>
public sealed class ReadinessProbe(HostSettings settings, IServiceProvider services, ILocalSiloDetails silo, IClusterMembershipService membership)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<(bool Ready, IReadOnlyDictionary<string, string> Checks)> CheckAsync(CancellationToken cancellationToken)
    {
        var checks = new Dictionary<string, string>(StringComparer.Ordinal);
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        checks["cluster"] = status == SiloStatus.Active ? "ok" : $"silo is {status.ToString().ToLowerInvariant()}";

        if (settings.UsesRedis && services.GetService<RedisConnection>() is { } redis)
        {
            checks["redis"] = await Probe(async ct => await (await redis.DatabaseAsync(ct)).PingAsync().WaitAsync(Timeout, ct), cancellationToken);
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (settings.Workers.PersistenceDriver == "db")
        {
            names.Add(settings.DbConnectionName);
        }

        if (settings.ClusterDriver == "postgres")
        {
            names.Add(settings.ClusterConnectionName);
        }

        foreach (var name in names)
        {
            var connectionString = new NpgsqlConnectionStringBuilder(settings.ConnectionStrings[name]) { Timeout = (int)Timeout.TotalSeconds }.ConnectionString;
            checks[$"postgres:{name}"] = await Probe(
                async ct =>
                {
                    await using var connection = new NpgsqlConnection(connectionString);
                    await connection.OpenAsync(ct);
                    await using var command = new NpgsqlCommand("SELECT 1", connection);
                    await command.ExecuteScalarAsync(ct);
                },
                cancellationToken);
        }

        return (checks.Values.All(v => v == "ok"), checks);
    }

    private static async Task<string> Probe(Func<CancellationToken, Task> check, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await check(timeout.Token);
            return "ok";
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return "unavailable: " + (ex is OperationCanceledException or TimeoutException ? "no answer within 2 s" : ex.Message);
        }
    }
}
