using Npgsql;
using NpgsqlTypes;
using Orleans.Serialization;
using Orleans.Storage;

namespace ZinTrust.Workers.PostgreSql;

/// <summary>
/// Grain storage for WORKER_PERSISTENCE_DRIVER=db: one row per grain and state name in the workers table,
/// the state in Orleans' binary format, an integer ETag checked on every write (optimistic concurrency).
/// </summary>
internal sealed class PostgresGrainStorage(NpgsqlDataSource dataSource, Serializer serializer, string table) : IGrainStorage
{
    private readonly string read = $"SELECT payload, etag FROM {table} WHERE grain_id = @grain AND state_name = @state";
    private readonly string insert = $"INSERT INTO {table} (grain_id, state_name, payload, etag) VALUES (@grain, @state, @payload, 1) ON CONFLICT DO NOTHING RETURNING etag";
    private readonly string update = $"UPDATE {table} SET payload = @payload, etag = etag + 1, updated_at = now() WHERE grain_id = @grain AND state_name = @state AND etag = @etag RETURNING etag";
    private readonly string delete = $"DELETE FROM {table} WHERE grain_id = @grain AND state_name = @state AND etag = @etag";

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await using var command = dataSource.CreateCommand(read);
        Key(command, stateName, grainId);
        await using var reader = await command.ExecuteReaderAsync();
        if (await reader.ReadAsync())
        {
            grainState.State = serializer.Deserialize<T>(reader.GetFieldValue<byte[]>(0));
            grainState.ETag = reader.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var payload = serializer.SerializeToArray(grainState.State);
        await using var command = dataSource.CreateCommand(grainState.ETag is null ? insert : update);
        Key(command, stateName, grainId);
        command.Parameters.Add(new NpgsqlParameter("payload", NpgsqlDbType.Bytea) { Value = payload });
        if (grainState.ETag is not null)
        {
            command.Parameters.AddWithValue("etag", long.Parse(grainState.ETag, System.Globalization.CultureInfo.InvariantCulture));
        }

        var etag = await command.ExecuteScalarAsync();
        if (etag is not long next)
        {
            throw new InconsistentStateException($"State '{stateName}' of {grainId} was changed by someone else (ETag {grainState.ETag ?? "none"} is stale).", "unknown", grainState.ETag ?? "none");
        }

        grainState.ETag = next.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (grainState.ETag is not null)
        {
            await using var command = dataSource.CreateCommand(delete);
            Key(command, stateName, grainId);
            command.Parameters.AddWithValue("etag", long.Parse(grainState.ETag, System.Globalization.CultureInfo.InvariantCulture));
            if (await command.ExecuteNonQueryAsync() == 0)
            {
                throw new InconsistentStateException($"State '{stateName}' of {grainId} was changed by someone else before it could be cleared.", "unknown", grainState.ETag);
            }
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    private static void Key(NpgsqlCommand command, string stateName, GrainId grainId)
    {
        command.Parameters.AddWithValue("grain", grainId.ToString());
        command.Parameters.AddWithValue("state", stateName);
    }
}
