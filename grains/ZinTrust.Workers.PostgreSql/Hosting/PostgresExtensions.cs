using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization;
using Orleans.Storage;
using ZinTrust.Workers.Grains;
using ZinTrust.Workers.PostgreSql;

namespace Orleans.Hosting;

/// <summary>Puts the grain state of ZinTrust workers in PostgreSQL.</summary>
public static class PostgresExtensions
{
    /// <summary>
    /// Worker definitions and statuses in <paramref name="table"/> (created by the migrations). At start-up the
    /// silo checks the database answers and the table exists, and stops with a message naming the setting to fix.
    /// </summary>
    public static ISiloBuilder AddZinTrustPostgresGrainStorage(this ISiloBuilder builder, string connectionString, string table, string connectionName = "default")
    {
        ArgumentNullException.ThrowIfNull(builder);
        Migration.All(table); // validates the table name
        var dataSource = NpgsqlDataSource.Create(connectionString);
        builder.Services.AddKeyedSingleton<IGrainStorage>(
            WorkersStorage.Name,
            (sp, _) => new PostgresGrainStorage(dataSource, sp.GetRequiredService<Serializer>(), table));
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new PostgresStartupCheck(dataSource, table, connectionName));
        return builder;
    }

    private sealed class PostgresStartupCheck(NpgsqlDataSource dataSource, string table, string connectionName) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(PostgresStartupCheck), ServiceLifecycleStage.RuntimeInitialize, CheckAsync);

        private async Task CheckAsync(CancellationToken cancellationToken)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT to_regclass(@table) IS NOT NULL");
                command.Parameters.AddWithValue("table", table);
                if (await command.ExecuteScalarAsync(cancellationToken) is not true)
                {
                    throw new InvalidOperationException(
                        $"The table '{table}' (WORKER_PERSISTENCE_TABLE) does not exist in the database of connection '{connectionName}'. Run the migrations first: dotnet run --project silo/ZinTrust.Workers.Silo -- migrate --connection {connectionName}");
                }
            }
            catch (NpgsqlException ex)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL (connection '{connectionName}', WORKER_PERSISTENCE_DB_CONNECTION → ConnectionStrings__{connectionName}) is not usable: {ex.Message}");
            }
        }
    }
}
