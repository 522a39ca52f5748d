using Npgsql;
using ZinTrust.Workers.PostgreSql;

namespace ZinTrust.Workers.Testing;

/// <summary>
/// The PostgreSQL server that <c>infra/test.sh</c> starts (ZT_TEST_POSTGRES, an Npgsql connection string). Tests
/// that need it fail, never skip, when it is missing: a green run must have run them.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "ZT_TEST_POSTGRES";

    public static string ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } p
        ? p
        : throw new InvalidOperationException($"{Variable} is not set: run the tests through ./infra/test.sh, which starts the real servers (or export {Variable}=\"$(infra/postgres.sh url)\" after infra/postgres.sh start).");

    /// <summary>A new, empty database (optionally migrated); returns its connection string.</summary>
    public static async Task<string> FreshDatabaseAsync(bool migrate, CancellationToken cancellationToken)
    {
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres" };
        var database = $"zt_it_{Guid.NewGuid():N}"[..24];
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;
        if (migrate)
        {
            await new MigrationRunner(connectionString).ApplyAsync(cancellationToken);
        }

        return connectionString;
    }

    /// <summary>Whether <paramref name="table"/> exists in the database of <paramref name="connectionString"/>.</summary>
    public static async Task<bool> TableExistsAsync(string connectionString, string table, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", connection);
        command.Parameters.AddWithValue("t", table);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
