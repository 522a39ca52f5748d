using Microsoft.AspNetCore.Routing.Patterns;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>
/// The audit action of an HTTP route, from its route pattern (never the raw path, so one route has one name whatever its values):
/// the literal segments after <c>/api</c> joined by dots, then a verb for what the method does to a resource rather than
/// naming an action. <c>POST /api/workers/{name}/start</c> is <c>workers.start</c>; <c>POST /api/workers</c> (and its alias
/// <c>/api/workers/create</c>) <c>workers.create</c>; <c>PATCH /api/workers/{name}</c> <c>workers.update</c>; <c>PUT</c>
/// <c>….put</c> (create or replace); <c>DELETE</c> <c>….delete</c>; <c>GET</c> <c>….read</c>. A POST creates when its path ends
/// at a collection (a parameter, a top-level resource, or <c>versions</c>, <c>jobs</c>, <c>regions</c>, <c>session</c>).
/// Requests that matched no route are <c>http.unmatched</c>.
/// </summary>
public static class AuditActionNames
{
    public const string Unmatched = "http.unmatched";

    private static readonly HashSet<string> Collections = new(StringComparer.Ordinal) { "versions", "jobs", "regions", "session" };

    public static string Of(string method, RoutePattern? pattern)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (pattern is null || (pattern.RawText ?? "").StartsWith("{*", StringComparison.Ordinal))
        {
            return Unmatched;
        }

        var literals = new List<string>();
        bool endsWithParameter = false;
        foreach (var segment in pattern.PathSegments)
        {
            if (segment.IsSimple && segment.Parts[0] is RoutePatternLiteralPart literal)
            {
                if (literals.Count > 0 || literal.Content != "api")
                {
                    literals.Add(literal.Content);
                }

                endsWithParameter = false;
            }
            else
            {
                endsWithParameter = true;
            }
        }

        string? verb = method.ToUpperInvariant() switch
        {
            "GET" or "HEAD" => "read",
            "DELETE" => "delete",
            "PUT" => "put",
            "PATCH" => "update",
            "POST" when endsWithParameter || literals.Count <= 1 || Collections.Contains(literals[^1]) => "create",
            "POST" => null,
            _ => method.ToLowerInvariant(),
        };
        if (literals.Count == 0)
        {
            return verb ?? Unmatched;
        }

        return verb is null ? string.Join('.', literals) : string.Join('.', literals) + "." + verb;
    }

    /// <summary>A data subject's id is personal data: the log names it by its digest (<see cref="DataSubjects.Digest"/>).</summary>
    private static string? Named(string parameter, string? value) =>
        value is not null && parameter == "subject" ? DataSubjects.Digest(value) : value;

    /// <summary>The route's values in the pattern's order joined by '/' (worker, queue, job id...): null when it has none.</summary>
    public static string? Target(RoutePattern? pattern, RouteValueDictionary values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (pattern is null || (pattern.RawText ?? "").StartsWith("{*", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = pattern.Parameters
            .Select(p => values.TryGetValue(p.Name, out var value) ? Named(p.Name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)) : null)
            .Where(v => !string.IsNullOrEmpty(v))
            .ToArray();
        return parts.Length == 0 ? null : string.Join('/', parts);
    }
}
