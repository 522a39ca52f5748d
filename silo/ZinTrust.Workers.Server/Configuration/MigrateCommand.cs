using ZinTrust.Workers.PostgreSql;

namespace ZinTrust.Workers.Server;

/// <summary>
/// <c>silo -- migrate [--status | --fresh | --reset | --rollback [--step N]] [--connection NAME]</c>: the
/// PostgreSQL schema (Orleans membership, worker state) for the connection ConnectionStrings:NAME
/// (default: WORKER_PERSISTENCE_DB_CONNECTION, else "default"); NAME may also be a whole connection string.
/// The work is <see cref="MigrationConsole"/>'s, shared with <c>zin migrate:worker</c>.
/// </summary>
public static class MigrateCommand
{
    public const string Usage = "usage: migrate [--status | --fresh | --reset | --rollback [--step N]] [--connection NAME]";

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(error);
        var request = new MigrationRequest();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--status": request = request with { Action = MigrationAction.Status }; break;
                case "--fresh": request = request with { Action = MigrationAction.Fresh }; break;
                case "--reset": request = request with { Action = MigrationAction.Reset }; break;
                case "--rollback": request = request with { Action = MigrationAction.Rollback }; break;
                case "--step" when i + 1 < args.Length && int.TryParse(args[i + 1], out var steps) && steps > 0:
                    request = request with { Steps = steps };
                    i++;
                    break;
                case "--connection" when i + 1 < args.Length: request = request with { Connection = args[++i] }; break;
                default:
                    await error.WriteLineAsync($"migrate: unknown or incomplete option '{args[i]}'. {Usage}");
                    return 2;
            }
        }

        return await MigrationConsole.RunAsync(request, key => configuration[key], output, error, "migrate: ", cancellationToken);
    }
}
