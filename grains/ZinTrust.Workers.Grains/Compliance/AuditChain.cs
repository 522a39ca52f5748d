using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The audit log's hash chain: the canonical form of a record, its hash, and linking a record to the one before it.
/// </summary>
/// <remarks>
/// <para>The canonical form is UTF-8 JSON without any white space, with exactly these properties in this order:
/// <c>{"v":1,"seq":S,"prev":"P","at":"T","actor":A,"role":R,"action":X,"target":G,"outcome":O,"client":C,"correlation":I,"details":D}</c>.
/// <c>S</c> is the sequence as a decimal integer; <c>P</c> the previous record's hash; <c>T</c> the time in UTC as
/// <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c> (always seven fraction digits); <c>A, R, X, G, O, C, I</c> are JSON strings, or
/// <c>null</c> for an absent optional field; <c>D</c> is <c>null</c> or an object whose members are sorted by key in ordinal
/// (UTF-16 code unit) order, each value a string. Strings escape only <c>"</c> as <c>\"</c>, <c>\</c> as <c>\\</c> and the
/// control characters U+0000..U+001F as <c>\u00xx</c> (lower-case hex); every other character is written as its UTF-8 bytes.</para>
/// <para>A record's hash is the SHA-256 of those bytes, written as 64 lower-case hex digits. The first record's previous hash is
/// <see cref="Genesis"/> (64 zeros). So changing any field of a record changes its hash, and the next record's
/// <c>prev</c> no longer matches; deleting or reordering records breaks the sequence and the links.</para>
/// </remarks>
public static class AuditChain
{
    /// <summary>The version of the canonical form (its <c>v</c>).</summary>
    public const int FormVersion = 1;

    /// <summary>The previous hash of the first record: 64 zeros.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>The record's canonical form (see the remarks), as UTF-8 bytes.</summary>
    public static byte[] Canonical(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var text = new StringBuilder(256);
        text.Append("{\"v\":").Append(FormVersion.ToString(CultureInfo.InvariantCulture))
            .Append(",\"seq\":").Append(record.Sequence.ToString(CultureInfo.InvariantCulture))
            .Append(",\"prev\":");
        String(text, record.PreviousHash);
        text.Append(",\"at\":");
        String(text, Time(record.At));
        Member(text, "actor", record.Actor);
        Member(text, "role", record.Role);
        Member(text, "action", record.Action);
        Member(text, "target", record.Target);
        Member(text, "outcome", record.Outcome);
        Member(text, "client", record.ClientAddress);
        Member(text, "correlation", record.CorrelationId);
        text.Append(",\"details\":");
        if (record.Details is null)
        {
            text.Append("null");
        }
        else
        {
            text.Append('{');
            bool first = true;
            foreach (var (key, value) in record.Details.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                if (!first)
                {
                    text.Append(',');
                }

                first = false;
                String(text, key);
                text.Append(':');
                String(text, value);
            }

            text.Append('}');
        }

        text.Append('}');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>SHA-256 of the canonical form, lower-case hex.</summary>
    public static string ComputeHash(AuditRecord record) => Convert.ToHexStringLower(SHA256.HashData(Canonical(record)));

    /// <summary>The record as the next one after (<paramref name="previousSequence"/>, <paramref name="previousHash"/>): its
    /// sequence, previous hash and own hash set, its time in UTC.</summary>
    public static AuditRecord Link(AuditRecord record, long previousSequence, string previousHash)
    {
        ArgumentNullException.ThrowIfNull(record);
        var linked = record with { Sequence = previousSequence + 1, PreviousHash = previousHash, At = record.At.ToUniversalTime(), Hash = "" };
        return linked with { Hash = ComputeHash(linked) };
    }

    /// <summary>Reads a canonical form back (the Redis store keeps records in it); <paramref name="hash"/> is the stored hash,
    /// not recomputed, so a verification compares the two.</summary>
    public static AuditRecord Parse(ReadOnlySpan<byte> canonical, string hash)
    {
        using var document = JsonDocument.Parse(canonical.ToArray());
        var root = document.RootElement;
        Dictionary<string, string>? details = null;
        if (root.GetProperty("details") is { ValueKind: JsonValueKind.Object } members)
        {
            details = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var member in members.EnumerateObject())
            {
                details[member.Name] = member.Value.GetString() ?? "";
            }
        }

        return new AuditRecord
        {
            Sequence = root.GetProperty("seq").GetInt64(),
            PreviousHash = root.GetProperty("prev").GetString() ?? "",
            Hash = hash,
            At = DateTimeOffset.ParseExact(root.GetProperty("at").GetString()!, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
            Actor = root.GetProperty("actor").GetString() ?? "",
            Role = root.GetProperty("role").GetString(),
            Action = root.GetProperty("action").GetString() ?? "",
            Target = root.GetProperty("target").GetString(),
            Outcome = root.GetProperty("outcome").GetString() ?? "",
            ClientAddress = root.GetProperty("client").GetString(),
            CorrelationId = root.GetProperty("correlation").GetString(),
            Details = details,
        };
    }

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static void Member(StringBuilder text, string name, string? value)
    {
        text.Append(",\"").Append(name).Append("\":");
        if (value is null)
        {
            text.Append("null");
        }
        else
        {
            String(text, value);
        }
    }

    private static void String(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case < ' ':
                    text.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        text.Append('"');
    }
}
