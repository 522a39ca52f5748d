namespace ZinTrust.Workers.Abstractions;

/// <summary>The names and limits of a job's envelope (<see cref="EnqueueRequest.Headers"/>).</summary>
public static class JobHeaders
{
    /// <summary>W3C trace context: the producer's span, which the attempts' spans continue.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>W3C trace state, carried with <see cref="TraceParent"/>.</summary>
    public const string TraceState = "tracestate";

    /// <summary>
    /// The data subject the job's personal data belongs to (a customer id: prefer a pseudonymous one to an e-mail address).
    /// <c>DELETE /api/compliance/subjects/{id}</c> erases the payloads, results, errors and log lines of every job naming it, in
    /// every queue. Set by the REST API's <c>dataSubject</c> field, or as this header.
    /// </summary>
    public const string DataSubject = "data-subject";

    /// <summary>Headers besides the trace context (which tracing adds to a full envelope too, so it is not counted).</summary>
    public const int MaxCount = 32;
    public const int MaxNameLength = 64;
    public const int MaxValueLength = 2048;

    /// <summary>Names and values together, in characters, besides the trace context.</summary>
    public const int MaxTotalLength = 8192;

    /// <summary>Problems of a set of headers (none: valid).</summary>
    public static IEnumerable<string> Problems(IReadOnlyDictionary<string, string>? headers)
    {
        if (headers is null)
        {
            yield break;
        }

        int count = 0, total = 0;
        foreach (var (name, value) in headers)
        {
            if (!IsTraceContext(name))
            {
                count++;
                total += (name?.Length ?? 0) + (value?.Length ?? 0);
            }

            if (!IsValidName(name))
            {
                yield return $"Header names are 1..{MaxNameLength} lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.";
            }

            if (value is null || value.Length > MaxValueLength || value.Any(char.IsControl))
            {
                yield return $"Header values are at most {MaxValueLength} printable characters.";
            }
        }

        if (count > MaxCount)
        {
            yield return $"At most {MaxCount} headers.";
        }

        if (total > MaxTotalLength)
        {
            yield return $"Headers may total at most {MaxTotalLength} characters.";
        }
    }

    private static bool IsTraceContext(string? name) => name is TraceParent or TraceState;

    private static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= MaxNameLength }
        && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0]))
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-');
}
