using System.Text.Json;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// Lenient reads of the service's JSON: a member that is missing, null or of another type reads as null, so a
/// newer or older service never crashes the CLI.
/// </summary>
internal static class JsonFields
{
    public static JsonElement? Member(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static string? String(this JsonElement element, string name) =>
        element.Member(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static double? Number(this JsonElement element, string name) =>
        element.Member(name) is { ValueKind: JsonValueKind.Number } value ? value.GetDouble() : null;

    public static long? Integer(this JsonElement element, string name) =>
        element.Member(name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var n) ? n : null;

    public static bool? Bool(this JsonElement element, string name) =>
        element.Member(name) is { ValueKind: JsonValueKind.True or JsonValueKind.False } value ? value.GetBoolean() : null;

    public static JsonElement? Object(this JsonElement element, string name) =>
        element.Member(name) is { ValueKind: JsonValueKind.Object } value ? value : null;

    /// <summary>A scalar as text (strings unquoted), anything else as compact JSON; null for null or missing.</summary>
    public static string? Text(this JsonElement? element) => element switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
        { } other => other.GetRawText(),
    };
}
