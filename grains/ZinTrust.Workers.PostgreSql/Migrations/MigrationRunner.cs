using Npgsql;

namespace ZinTrust.Workers.PostgreSql;

/// <summary>
/// Applies and rolls back the project's PostgreSQL schema, recorded in <c>zintrust_migrations</c>. Each step
/// runs in its own transaction under an advisory lock, so concurrent runners (several silos starting at
/// once) apply each step exactly once; applying twice is a no-op.
/// </summary>
public sealed class MigrationRunner(string connectionString, string workersTable = "zintrust_workers")
{
    private const long LockKey = 0x5A54_4D49_4752; // "ZTMIGR"

    public IReadOnlyList<Migration> Migrations { get; } = Migration.All(workersTable);

    public async Task<IReadOnlyList<MigrationStatus>> StatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(connection, tx, cancellationToken);
        var applied = await AppliedAsync(connection, tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return Migrations.Select(m => new MigrationStatus(
            m,
            applied.TryGetValue(m.Id, out var row) ? row.AppliedAt : null,
            applied.TryGetValue(m.Id, out var r) && r.Checksum != m.Checksum)).ToArray();
    }

    /// <summary>Applies every pending step in order; returns those applied now.</summary>
    public async Task<IReadOnlyList<Migration>> ApplyAsync(CancellationToken cancellationToken)
    {
        var done = new List<Migration>();
        await using var connection = await OpenAsync(cancellationToken);
        foreach (var migration in Migrations)
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await LockAsync(connection, tx, cancellationToken);
            var applied = await AppliedAsync(connection, tx, cancellationToken);
            if (applied.ContainsKey(migration.Id))
            {
                await tx.RollbackAsync(cancellationToken);
                continue;
            }

            await ExecuteAsync(connection, tx, migration.Up, cancellationToken);
            await using (var record = new NpgsqlCommand("INSERT INTO zintrust_migrations (id, name, checksum) VALUES (@id, @name, @checksum)", connection, tx))
            {
                record.Parameters.AddWithValue("id", migration.Id);
                record.Parameters.AddWithValue("name", migration.Name);
                record.Parameters.AddWithValue("checksum", migration.Checksum);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await tx.CommitAsync(cancellationToken);
            done.Add(migration);
        }

        return done;
    }

    /// <summary>Undoes the last <paramref name="steps"/> applied steps, newest first; returns those undone.</summary>
    public async Task<IReadOnlyList<Migration>> RollbackAsync(int steps, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var undone = new List<Migration>();
        await using var connection = await OpenAsync(cancellationToken);
        for (int i = 0; i < steps; i++)
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await LockAsync(connection, tx, cancellationToken);
            var applied = await AppliedAsync(connection, tx, cancellationToken);
            if (applied.Count == 0)
            {
                await tx.RollbackAsync(cancellationToken);
                break;
            }

            int last = applied.Keys.Max();
            var migration = Migrations.SingleOrDefault(m => m.Id == last)
                ?? throw new InvalidOperationException($"Applied migration {last} is unknown to this build; it cannot be rolled back.");
            await ExecuteAsync(connection, tx, migration.Down, cancellationToken);
            await using (var forget = new NpgsqlCommand("DELETE FROM zintrust_migrations WHERE id = @id", connection, tx))
            {
                forget.Parameters.AddWithValue("id", migration.Id);
                await forget.ExecuteNonQueryAsync(cancellationToken);
            }

            await tx.CommitAsync(cancellationToken);
            undone.Add(migration);
        }

        return undone;
    }

    /// <summary>Undoes every applied step.</summary>
    public Task<IReadOnlyList<Migration>> ResetAsync(CancellationToken cancellationToken) => RollbackAsync(int.MaxValue, cancellationToken);

    /// <summary>Undoes everything, then applies everything.</summary>
    public async Task<IReadOnlyList<Migration>> FreshAsync(CancellationToken cancellationToken)
    {
        await ResetAsync(cancellationToken);
        return await ApplyAsync(cancellationToken);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Takes the migration lock for this transaction and makes sure the tracking table exists (all DDL under the lock).</summary>
    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT pg_advisory_xact_lock(@key);
            CREATE TABLE IF NOT EXISTS zintrust_migrations
            (
                id         integer     NOT NULL PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """,
            connection,
            tx);
        command.Parameters.AddWithValue("key", LockKey);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<Dictionary<int, (DateTimeOffset AppliedAt, string Checksum)>> AppliedAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, (DateTimeOffset, string)>();
        await using var command = new NpgsqlCommand("SELECT id, applied_at, checksum FROM zintrust_migrations", connection, tx);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = (reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2));
        }

        return applied;
    }
}

/// <summary>A migration and whether (and when) it is applied; <see cref="Changed"/> when the applied SQL differs from this build's.</summary>
public sealed record MigrationStatus(Migration Migration, DateTimeOffset? AppliedAt, bool Changed)
{
    public bool Applied => AppliedAt is not null;
}
