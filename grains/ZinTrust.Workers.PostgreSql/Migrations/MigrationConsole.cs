using Npgsql;

namespace ZinTrust.Workers.PostgreSql;

/// <summary>
/// The migrate command behind both the silo's <c>migrate</c> and the CLI's <c>zin migrate:worker</c>: resolves the
/// connection (WORKER_PERSISTENCE_DB_CONNECTION → ConnectionStrings:NAME, or a connection string given directly)
/// and the table (WORKER_PERSISTENCE_TABLE), runs the <see cref="MigrationRunner"/> and prints what it did.
/// Connection strings are never printed: they hold passwords.
/// </summary>
public static class MigrationConsole
{
    public const string ConnectionSetting = "WORKER_PERSISTENCE_DB_CONNECTION";
    public const string TableSetting = "WORKER_PERSISTENCE_TABLE";
    public const string DefaultConnectionName = "default";
    public const string DefaultTable = "zintrust_workers";

    /// <summary>
    /// Runs <paramref name="request"/>. <paramref name="settings"/> reads a setting by its configuration key
    /// (<c>WORKER_PERSISTENCE_TABLE</c>, <c>ConnectionStrings:default</c>). Problems go to <paramref name="error"/>
    /// after <paramref name="errorPrefix"/>.
    /// </summary>
    /// <returns>0 when done; 1 when the database refused or failed; 2 when no connection string is configured.</returns>
    public static async Task<int> RunAsync(
        MigrationRequest request,
        Func<string, string?> settings,
        TextWriter output,
        TextWriter error,
        string errorPrefix,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var (connectionString, label, missing) = ResolveConnection(request.Connection, settings);
        if (connectionString is null)
        {
            await error.WriteLineAsync($"{errorPrefix}no connection string named '{missing}'; set ConnectionStrings__{missing} (or pass --connection NAME, or a connection string).");
            return 2;
        }

        var table = settings(TableSetting) is { Length: > 0 } t ? t.Trim() : DefaultTable;
        try
        {
            var runner = new MigrationRunner(connectionString, table);
            switch (request.Action)
            {
                case MigrationAction.Status:
                    foreach (var s in await runner.StatusAsync(cancellationToken))
                    {
                        var state = s.Applied ? $"applied {s.AppliedAt:yyyy-MM-dd HH:mm:ss}" : "pending";
                        await output.WriteLineAsync($"{s.Migration.Name,-28} {state}{(s.Changed ? "  (changed since it was applied)" : "")}");
                    }

                    break;
                case MigrationAction.Rollback:
                    await Report(output, "Rolled back", await runner.RollbackAsync(request.Steps, cancellationToken));
                    break;
                case MigrationAction.Reset:
                    await Report(output, "Rolled back", await runner.ResetAsync(cancellationToken));
                    break;
                case MigrationAction.Fresh:
                    await Report(output, "Applied", await runner.FreshAsync(cancellationToken));
                    break;
                default:
                    await Report(output, "Applied", await runner.ApplyAsync(cancellationToken));
                    break;
            }

            return 0;
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException or InvalidOperationException)
        {
            await error.WriteLineAsync($"{errorPrefix}{label} failed: {ex.Message}");
            return 1;
        }
    }

    /// <summary>The connection string, how to name it in messages, and the name that had no connection string.</summary>
    private static (string? ConnectionString, string Label, string? Missing) ResolveConnection(string? connection, Func<string, string?> settings)
    {
        if (connection is not null && connection.Contains('=', StringComparison.Ordinal))
        {
            return (connection, "the connection string given with --connection", null);
        }

        var name = connection is { Length: > 0 } given ? given
            : settings(ConnectionSetting) is { Length: > 0 } configured ? configured.Trim()
            : DefaultConnectionName;
        var connectionString = settings($"ConnectionStrings:{name}");
        return string.IsNullOrWhiteSpace(connectionString)
            ? (null, $"connection '{name}'", name)
            : (connectionString, $"connection '{name}'", null);
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
