using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The keys that encrypt job payloads, results and errors at rest: one active key (every new encryption uses it) and any
/// number of decrypt-only keys (data written under them still reads). Loaded from a key-ring file (never from the job store,
/// so a copy of the store alone decrypts nothing):
/// <code>{ "format": 1, "active": "k2", "keys": [ { "id": "k1", "key": "&lt;base64 of 32 bytes&gt;", "created": "…" }, … ] }</code>
/// Key ids are 1..32 letters, digits, '-' and '_'. The ring never prints a key: <see cref="ToString"/> names ids only.
/// </summary>
public sealed partial class EncryptionKeyRing
{
    /// <summary>The file format this build reads and writes.</summary>
    public const int Format = 1;

    private readonly Dictionary<string, Key> keys;

    private EncryptionKeyRing(string active, Dictionary<string, Key> keys)
    {
        ActiveKeyId = active;
        this.keys = keys;
    }

    /// <summary>The key every new encryption uses.</summary>
    public string ActiveKeyId { get; }

    /// <summary>Every key id the ring holds, the active one included, oldest first.</summary>
    public IReadOnlyList<string> KeyIds => [.. keys.Values.OrderBy(k => k.Created).ThenBy(k => k.Id, StringComparer.Ordinal).Select(k => k.Id)];

    internal byte[] ActiveKey => keys[ActiveKeyId].Material;

    /// <summary>When the key was made (as the file says).</summary>
    public DateTimeOffset CreatedAt(string keyId) => keys[keyId].Created;

    public bool Contains(string keyId) => keys.ContainsKey(keyId);

    internal bool TryGetKey(string keyId, out byte[] material)
    {
        if (keys.TryGetValue(keyId, out var key))
        {
            material = key.Material;
            return true;
        }

        material = [];
        return false;
    }

    public static bool IsValidKeyId(string? id) => id is not null && KeyIdPattern().IsMatch(id);

    /// <summary>A new ring of one fresh key.</summary>
    public static EncryptionKeyRing Create(string keyId, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        RequireKeyId(keyId);
        return new EncryptionKeyRing(keyId, new(StringComparer.Ordinal) { [keyId] = new Key(keyId, RandomNumberGenerator.GetBytes(32), time.GetUtcNow()) });
    }

    /// <summary>This ring with a fresh key that becomes the active one (the old active key stays, to decrypt).</summary>
    public EncryptionKeyRing WithNewActiveKey(string keyId, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        RequireKeyId(keyId);
        if (keys.ContainsKey(keyId))
        {
            throw new InvalidOperationException($"The key ring already has a key '{keyId}'; choose another id.");
        }

        return new EncryptionKeyRing(keyId, new(keys, StringComparer.Ordinal) { [keyId] = new Key(keyId, RandomNumberGenerator.GetBytes(32), time.GetUtcNow()) });
    }

    /// <summary>This ring without <paramref name="keyId"/> (never the active key). Whether data still needs it is the caller's
    /// check: the <c>encryption-key retire</c> command refuses while stored jobs remain under it.</summary>
    public EncryptionKeyRing Without(string keyId)
    {
        if (keyId == ActiveKeyId)
        {
            throw new InvalidOperationException($"'{keyId}' is the active key; make another key active before retiring it.");
        }

        if (!keys.ContainsKey(keyId))
        {
            throw new InvalidOperationException($"The key ring has no key '{keyId}'.");
        }

        var rest = new Dictionary<string, Key>(keys, StringComparer.Ordinal);
        rest.Remove(keyId);
        return new EncryptionKeyRing(ActiveKeyId, rest);
    }

    /// <summary>Reads a ring file; a problem (missing, unreadable, malformed, a bad key) is returned as text that names the file
    /// and never contains key material.</summary>
    public static EncryptionKeyRing? Load(string path, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            problem = $"the key ring file '{path}' cannot be read ({ex.GetType().Name}).";
            return null;
        }

        var ring = Parse(text, out problem);
        if (problem is not null)
        {
            problem = $"the key ring file '{path}' is not usable: {problem}";
        }

        return ring;
    }

    /// <summary>Parses a ring's JSON; see <see cref="Load"/>.</summary>
    public static EncryptionKeyRing? Parse(string json, out string? problem)
    {
        problem = null;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            problem = "it is not JSON.";
            return null;
        }

        if (root is not JsonObject ring)
        {
            problem = "it is not a JSON object.";
            return null;
        }

        if (ring["format"] is not JsonValue formatValue || !formatValue.TryGetValue<int>(out var format) || format != Format)
        {
            problem = $"\"format\" must be {Format}.";
            return null;
        }

        if (ring["keys"] is not JsonArray list || list.Count == 0)
        {
            problem = "\"keys\" must be a non-empty array.";
            return null;
        }

        var keys = new Dictionary<string, Key>(StringComparer.Ordinal);
        for (int i = 0; i < list.Count; i++)
        {
            if (ReadKey(list[i], i, out var key) is { } bad)
            {
                problem = bad;
                return null;
            }

            if (!keys.TryAdd(key!.Id, key))
            {
                problem = $"key id '{key.Id}' appears twice.";
                return null;
            }
        }

        var active = ring["active"] is JsonValue activeValue && activeValue.TryGetValue<string>(out var a) ? a : null;
        if (active is null || !keys.ContainsKey(active))
        {
            problem = "\"active\" must name one of the ring's keys.";
            return null;
        }

        return new EncryptionKeyRing(active, keys);
    }

    /// <summary>The ring as its file's JSON (it holds the keys: write it only to a file readable by the silo's user).</summary>
    public string ToJson()
    {
        var list = new JsonArray();
        foreach (var id in KeyIds)
        {
            var key = keys[id];
            list.Add(new JsonObject
            {
                ["id"] = key.Id,
                ["key"] = Convert.ToBase64String(key.Material),
                ["created"] = key.Created.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            });
        }

        return new JsonObject { ["format"] = Format, ["active"] = ActiveKeyId, ["keys"] = list }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public override string ToString() => $"key ring (active {ActiveKeyId}; keys {string.Join(", ", KeyIds)})";

    private static string? ReadKey(JsonNode? node, int index, out Key? key)
    {
        key = null;
        if (node is not JsonObject entry)
        {
            return $"keys[{index}] is not an object.";
        }

        var id = entry["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var i) ? i : null;
        if (!IsValidKeyId(id))
        {
            return $"keys[{index}].id must be 1..32 letters, digits, '-' or '_'.";
        }

        byte[] material;
        try
        {
            material = entry["key"] is JsonValue keyValue && keyValue.TryGetValue<string>(out var k) ? Convert.FromBase64String(k) : [];
        }
        catch (FormatException)
        {
            material = [];
        }

        if (material.Length != 32)
        {
            return $"keys[{index}] ('{id}'): \"key\" must be the base64 of exactly 32 bytes (AES-256).";
        }

        var created = entry["created"] is JsonValue createdValue && createdValue.TryGetValue<string>(out var c)
            && DateTimeOffset.TryParse(c, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : DateTimeOffset.MinValue;
        key = new Key(id!, material, created);
        return null;
    }

    private static void RequireKeyId(string keyId)
    {
        if (!IsValidKeyId(keyId))
        {
            throw new ArgumentException("A key id is 1..32 letters, digits, '-' or '_'.", nameof(keyId));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyIdPattern();

    private sealed record Key(string Id, byte[] Material, DateTimeOffset Created);
}
