using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ZinTrust.Workers.PostgreSql;

/// <summary>One schema step: an id, a name, the SQL that applies it and the SQL that undoes it.</summary>
public sealed partial record Migration(int Id, string Name, string Up, string Down)
{
    /// <summary>SHA-256 of the applied SQL, recorded so a changed migration is noticed.</summary>
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Up)));

    /// <summary>The project's migrations in order, with <c>{{workers_table}}</c> set to <paramref name="workersTable"/>.</summary>
    public static IReadOnlyList<Migration> All(string workersTable)
    {
        if (!IsValidTableName(workersTable))
        {
            throw new ArgumentException($"WORKER_PERSISTENCE_TABLE: '{workersTable}' is not a valid table name (lower-case letters, digits, _; at most 63).", nameof(workersTable));
        }

        var assembly = typeof(Migration).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("zintrust.migrations.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => Parse(assembly, n, workersTable))
            .ToArray();
    }

    /// <summary>Lower-case letters, digits and _, at most 63 (an unquoted PostgreSQL identifier).</summary>
    public static bool IsValidTableName(string? table) => table is not null && TableName().IsMatch(table);

    private static Migration Parse(Assembly assembly, string resource, string workersTable)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd().Replace("{{workers_table}}", workersTable, StringComparison.Ordinal);
        var name = resource["zintrust.migrations.".Length..^".sql".Length];
        int up = text.IndexOf("-- @up", StringComparison.Ordinal);
        int down = text.IndexOf("-- @down", StringComparison.Ordinal);
        if (up < 0 || down < up)
        {
            throw new InvalidOperationException($"Migration {name} must have an '-- @up' section followed by a '-- @down' section.");
        }

        return new Migration(
            int.Parse(name[..4], System.Globalization.CultureInfo.InvariantCulture),
            name,
            text[(up + "-- @up".Length)..down].Trim(),
            text[(down + "-- @down".Length)..].Trim());
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex TableName();
}
