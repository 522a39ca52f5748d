using System.CommandLine;
using ZinTrust.Workers.PostgreSql;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// <c>zin migrate:worker [--status | --fresh | --reset | --rollback [--step N]] [--connection NAME|CONNECTION-STRING | --all]</c>:
/// the PostgreSQL migrations, run directly (not through the service), as the silo's <c>migrate</c> runs them. <c>--all</c> runs
/// the same action on every configured connection (each <c>ConnectionStrings__NAME</c> in the environment), one after another,
/// stopping at the first that fails.
/// </summary>
internal static class MigrateWorkerCommand
{
    public static Command Create(CliContext context)
    {
        var status = new Option<bool>("--status") { Description = "List the migrations: applied (when), pending, changed since applied" };
        var fresh = new Option<bool>("--fresh") { Description = "Undo every migration, then apply every migration" };
        var reset = new Option<bool>("--reset") { Description = "Undo every applied migration" };
        var rollback = new Option<bool>("--rollback") { Description = "Undo the last applied migration (or --step N of them)" };
        var step = new Option<int?>("--step") { Description = "With --rollback: how many migrations to undo (default 1)" };
        var connection = new Option<string?>("--connection")
        {
            Description = "A connection name, read from ConnectionStrings__NAME (default: WORKER_PERSISTENCE_DB_CONNECTION, else default), or a whole Npgsql connection string",
        };
        var all = new Option<bool>("--all") { Description = "Every configured connection (each ConnectionStrings__NAME), one after another" };
        var command = new Command("migrate:worker", "Apply, inspect or undo the PostgreSQL schema (worker state table WORKER_PERSISTENCE_TABLE, cluster membership)")
        {
            status, fresh, reset, rollback, step, connection, all,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var chosen = new[] { (status, MigrationAction.Status), (fresh, MigrationAction.Fresh), (reset, MigrationAction.Reset), (rollback, MigrationAction.Rollback) }
                .Where(c => parseResult.GetValue(c.Item1))
                .Select(c => c.Item2)
                .ToArray();
            if (chosen.Length > 1)
            {
                await context.Error.WriteLineAsync("[ERROR] Give at most one of --status, --fresh, --reset, --rollback.");
                return ExitCodes.Usage;
            }

            var action = chosen.Length == 1 ? chosen[0] : MigrationAction.Apply;
            var steps = parseResult.GetValue(step);
            if (steps is not null && (action != MigrationAction.Rollback || steps < 1))
            {
                await context.Error.WriteLineAsync("[ERROR] --step N (N ≥ 1) goes with --rollback.");
                return ExitCodes.Usage;
            }

            var request = new MigrationRequest { Action = action, Steps = steps ?? 1, Connection = parseResult.GetValue(connection) };
            if (!parseResult.GetValue(all))
            {
                return await MigrationConsole.RunAsync(request, key => Setting(context, key), context.Output, context.Error, "[ERROR] ", cancellationToken);
            }

            if (request.Connection is not null)
            {
                await context.Error.WriteLineAsync("[ERROR] Give --connection or --all, not both.");
                return ExitCodes.Usage;
            }

            var names = ConnectionNames(context);
            if (names.Length == 0)
            {
                await context.Error.WriteLineAsync("[ERROR] --all found no connection strings; set ConnectionStrings__NAME for each database.");
                return ExitCodes.Usage;
            }

            foreach (var name in names)
            {
                await context.Output.WriteLineAsync($"--- Connection: {name} ---");
                int code = await MigrationConsole.RunAsync(request with { Connection = name }, key => Setting(context, key), context.Output, context.Error, "[ERROR] ", cancellationToken);
                if (code != ExitCodes.Success)
                {
                    return code;
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The NAME of every non-empty ConnectionStrings__NAME in the environment, in order.</summary>
    private static string[] ConnectionNames(CliContext context)
    {
        const string Prefix = "ConnectionStrings__";
        return context.EnvironmentNames()
            .Where(n => n.Length > Prefix.Length && n.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(context.Environment(n)))
            .Select(n => n[Prefix.Length..])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>A configuration key (ConnectionStrings:default) from the environment, spelled as shells can set it (ConnectionStrings__default).</summary>
    private static string? Setting(CliContext context, string key) =>
        context.Environment(key.Replace(":", "__", StringComparison.Ordinal)) ?? context.Environment(key);
}
