using Npgsql;
using Orleans.Runtime;
using ZinTrust.Workers.Redis;

namespace ZinTrust.Workers.Server;

/// <summary>
/// What <c>/health/ready</c> reports: this silo is an active cluster member, and every backend it was
/// configured with (Redis, PostgreSQL) answers within two seconds.
/// </summary>
public sealed partial class ReadinessProbe(
    HostSettings settings,
    IServiceProvider services,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    ILogger<ReadinessProbe> logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>How long an answer is reused: the route needs no key, so a flood of probes costs the backends at most one
    /// check a second.</summary>
    private static readonly TimeSpan Reuse = TimeSpan.FromSeconds(1);

    private readonly Lock gate = new();
    private Task<(bool Ready, IReadOnlyDictionary<string, string> Checks)>? latest;
    private long latestAt;

    /// <summary>The checks, run at most once a second (callers in between share the latest run).</summary>
    public Task<(bool Ready, IReadOnlyDictionary<string, string> Checks)> CheckAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var now = Environment.TickCount64;
            if (latest is null || (latest.IsCompleted && now - latestAt >= (long)Reuse.TotalMilliseconds))
            {
                latestAt = now;
                latest = RunAsync(CancellationToken.None);   // shared by its waiters; each check is bounded by Timeout
            }

            return latest.WaitAsync(cancellationToken);
        }
    }

    private async Task<(bool Ready, IReadOnlyDictionary<string, string> Checks)> RunAsync(CancellationToken cancellationToken)
    {
        var checks = new Dictionary<string, string>(StringComparer.Ordinal);
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        checks["cluster"] = status == SiloStatus.Active ? "ok" : $"silo is {status.ToString().ToLowerInvariant()}";

        if (settings.UsesRedis && services.GetService<RedisConnection>() is { } redis)
        {
            checks["redis"] = await Probe("redis", async ct => await (await redis.DatabaseAsync(ct)).PingAsync().WaitAsync(Timeout, ct), cancellationToken);
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
                $"postgres:{name}",
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

    private async Task<string> Probe(string backend, Func<CancellationToken, Task> check, CancellationToken cancellationToken)
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
            // The answer is public to viewers: it says what kind of failure, the log says what exactly (hosts, driver messages).
            if (ex is OperationCanceledException or TimeoutException)
            {
                return "unavailable: no answer within 2 s";
            }

            LogProbeFailed(logger, backend, ex);
            return "unavailable: the check failed (see the silo log)";
        }
    }

    [LoggerMessage(5200, LogLevel.Warning, "Readiness check of {Backend} failed")]
    private static partial void LogProbeFailed(ILogger logger, string backend, Exception exception);
}
