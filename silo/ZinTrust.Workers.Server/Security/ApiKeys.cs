using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ZinTrust.Workers.Server;

/// <summary>The roles of API keys; each includes the ones below it (admin ⊃ operator ⊃ viewer).</summary>
public enum ApiRole
{
    /// <summary>Reads: lists, status, jobs, health, metrics.</summary>
    Viewer = 1,

    /// <summary>Runs things: enqueue, cancel, retry, pause/resume, start/stop/restart, prune.</summary>
    Operator = 2,

    /// <summary>Changes configuration and destroys data: create/update/delete workers, delete dead letters.</summary>
    Admin = 3,
}

/// <summary>One configured key: its name (for rate limits and audit, never the key), role and SHA-256 hash.</summary>
public sealed record ApiKeyEntry(string Name, ApiRole Role, byte[] Hash);

/// <summary>
/// The configured keys. Only SHA-256 hashes are held (keys are 256-bit random strings, so a fast hash is
/// enough; there is nothing to brute-force). A presented key is hashed and compared with every entry in
/// constant time, so neither the match nor its position leaks through timing.
/// </summary>
public sealed class ApiKeyRing
{
    public const string KeyPrefix = "zt_";
    private readonly ApiKeyEntry[] entries;
    private readonly Dictionary<string, ApiKeyEntry> byFingerprint;

    public ApiKeyRing(IEnumerable<ApiKeyEntry> entries, string? generatedDevelopmentKey = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        this.entries = [.. entries];
        byFingerprint = [];
        foreach (var entry in this.entries)
        {
            byFingerprint.TryAdd(Fingerprint(entry), entry);   // the first of equal entries, as Find answers
        }
        GeneratedDevelopmentKey = generatedDevelopmentKey;
    }

    public int Count => entries.Length;

    /// <summary>The key generated at start-up in Development when none was configured (printed once, never logged).</summary>
    public string? GeneratedDevelopmentKey { get; }

    public ApiKeyEntry? Find(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        ApiKeyEntry? match = null;
        foreach (var entry in entries)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, entry.Hash))
            {
                match ??= entry;
            }
        }

        return match;
    }

    /// <summary>The entry whose <see cref="Fingerprint"/> this is, if the ring still holds it.</summary>
    public ApiKeyEntry? FindByFingerprint(string fingerprint) => byFingerprint.GetValueOrDefault(fingerprint);

    /// <summary>Names an entry without revealing its key or the key's hash (a hash of the hash, shortened): what a console
    /// session keeps to check that its key still holds.</summary>
    public static string Fingerprint(ApiKeyEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Convert.ToHexStringLower(SHA256.HashData(entry.Hash))[..24];
    }

    /// <summary>A new random key (32 bytes, base64url) with the given prefix.</summary>
    public static string NewKey(string prefix = KeyPrefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string HashHex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The WORKER_API_KEYS entry for a key: <c>name:role:sha256:hex</c>.</summary>
    public static string Entry(string name, ApiRole role, string key) => $"{name}:{RoleName(role)}:sha256:{HashHex(key)}";

    public static string RoleName(ApiRole role) => role.ToString().ToLowerInvariant();

    public static ApiRole? ParseRole(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "viewer" => ApiRole.Viewer,
        "operator" => ApiRole.Operator,
        "admin" => ApiRole.Admin,
        _ => null,
    };
}

/// <summary>
/// Reads keys from WORKER_API_KEYS (<c>name:role:sha256:hex</c> entries separated by ';' or ',') and from
/// WORKER_API_KEYS_FILE (JSON: <c>{"keys":[{"name":"ops","role":"operator","sha256":"hex"}]}</c>).
/// Errors name the entry, never echo a value that could be a key.
/// </summary>
public static class ApiKeyParser
{
    private static readonly char[] Separators = [';', ',', '\n'];

    public static void ParseList(string raw, string source, List<ApiKeyEntry> into, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(into);
        ArgumentNullException.ThrowIfNull(problems);
        int index = 0;
        foreach (var item in raw.Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            index++;
            var parts = item.Split(':');
            if (parts.Length != 4 || !parts[2].Equals("sha256", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{source}: entry {index} is not name:role:sha256:hex (generate one with `silo apikey --name NAME --role ROLE`).");
                continue;
            }

            Add(parts[0], parts[1], parts[3], $"{source}: entry {index}", into, problems);
        }
    }

    public static void ParseFile(string path, List<ApiKeyEntry> into, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        const string Source = "WORKER_API_KEYS_FILE";
        KeyFile? file;
        try
        {
            file = JsonSerializer.Deserialize<KeyFile>(File.ReadAllText(path), JsonOptions);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            problems.Add($"{Source}: cannot read '{path}': {(ex is JsonException ? "not a JSON key file" : ex.Message)}.");
            return;
        }

        if (file?.Keys is not { Count: > 0 } keys)
        {
            problems.Add($"{Source}: '{path}' has no keys ({{\"keys\":[{{\"name\":…,\"role\":…,\"sha256\":…}}]}}).");
            return;
        }

        for (int i = 0; i < keys.Count; i++)
        {
            Add(keys[i].Name ?? "", keys[i].Role ?? "", keys[i].Sha256 ?? "", $"{Source}: key {i + 1}", into, problems);
        }
    }

    private static void Add(string name, string role, string hex, string where, List<ApiKeyEntry> into, List<string> problems)
    {
        var parsedRole = ApiKeyRing.ParseRole(role);
        byte[]? hash = null;
        if (hex.Length == 64)
        {
            try
            {
                hash = Convert.FromHexString(hex);
            }
            catch (FormatException)
            {
                hash = null;
            }
        }

        if (!Abstractions.WorkerValidation.IsValidName(name))
        {
            problems.Add($"{where}: the name must match ^[a-zA-Z0-9_-]{{3,50}}$.");
        }
        else if (parsedRole is null)
        {
            problems.Add($"{where} ('{name}'): the role must be viewer, operator or admin.");
        }
        else if (hash is null)
        {
            problems.Add($"{where} ('{name}'): the hash must be 64 hex digits (SHA-256 of the key; the key itself is never configured).");
        }
        else if (into.Any(e => e.Name == name))
        {
            problems.Add($"{where}: the name '{name}' is used twice.");
        }
        else
        {
            into.Add(new ApiKeyEntry(name, parsedRole.Value, hash));
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { AllowTrailingCommas = true, ReadCommentHandling = JsonCommentHandling.Skip };

    private sealed record KeyFile(List<KeyFileEntry>? Keys);

    private sealed record KeyFileEntry(string? Name, string? Role, string? Sha256);
}
