using ZinTrust.Workers.PostgreSql;

namespace ZinTrust.Workers.Silo;

/// <summary>
/// <c>silo -- migrate [--status | --fresh | --reset | --rollback [--step N]] [--connection NAME]</c>: the
/// PostgreSQL schema (Orleans membership, worker state) for the connection ConnectionStrings:NAME
/// (default: WORKER_PERSISTENCE_DB_CONNECTION, else "default").
/// </summary>
public static class MigrateCommand
{
    public const string Usage = "usage: migrate [--status | --fresh | --reset | --rollback [--step N]] [--connection NAME]";

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string action = "apply";
        int steps = 1;
        string connectionName = configuration["WORKER_PERSISTENCE_DB_CONNECTION"] is { Length: > 0 } n ? n : "default";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--status": action = "status"; break;
                case "--fresh": action = "fresh"; break;
                case "--reset": action = "reset"; break;
                case "--rollback": action = "rollback"; break;
                case "--step" when i + 1 < args.Length && int.TryParse(args[i + 1], out steps) && steps > 0: i++; break;
                case "--connection" when i + 1 < args.Length: connectionName = args[++i]; break;
                default:
                    await error.WriteLineAsync($"migrate: unknown or incomplete option '{args[i]}'. {Usage}");
                    return 2;
            }
        }

        var connectionString = configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await error.WriteLineAsync($"migrate: no connection string named '{connectionName}'; set ConnectionStrings__{connectionName} (or pass --connection NAME).");
            return 2;
        }

        var table = configuration["WORKER_PERSISTENCE_TABLE"] is { Length: > 0 } t ? t : "zintrust_workers";
        try
        {
            var runner = new MigrationRunner(connectionString, table);
            switch (action)
            {
                case "status":
                    foreach (var s in await runner.StatusAsync(cancellationToken))
                    {
                        var state = s.Applied ? $"applied {s.AppliedAt:yyyy-MM-dd HH:mm:ss}" : "pending";
                        await output.WriteLineAsync($"{s.Migration.Name,-28} {state}{(s.Changed ? "  (changed since it was applied)" : "")}");
                    }

                    break;
                case "rollback":
                    await Report(output, "Rolled back", await runner.RollbackAsync(steps, cancellationToken));
                    break;
                case "reset":
                    await Report(output, "Rolled back", await runner.ResetAsync(cancellationToken));
                    break;
                case "fresh":
                    await Report(output, "Applied", await runner.FreshAsync(cancellationToken));
                    break;
                default:
                    await Report(output, "Applied", await runner.ApplyAsync(cancellationToken));
                    break;
            }

            return 0;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or ArgumentException or InvalidOperationException)
        {
            await error.WriteLineAsync($"migrate: connection '{connectionName}' failed: {ex.Message}");
            return 1;
        }
    }

    private static async Task Report(TextWriter output, string verb, IReadOnlyList<Migration> migrations)
    {
        if (migrations.Count == 0)
        {
            await output.WriteLineAsync("Nothing to do.");
        }

        foreach (var m in migrations)
        {
            await output.WriteLineAsync($"{verb} {m.Name}");
        }
    }
}
