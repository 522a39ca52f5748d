namespace ZinTrust.Workers.Abstractions;

/// <summary>One line a processor logged for a job (<see cref="JobContext.Log"/>).</summary>
[GenerateSerializer, Immutable, Alias("zt.JobLogLine")]
public sealed record JobLogLine
{
    /// <summary>Lines a job keeps (every attempt's together); past it the oldest go.</summary>
    public const int MaxLines = 200;

    /// <summary>Characters a line keeps; a longer one is cut and ends with '…'.</summary>
    public const int MaxLength = 2000;

    /// <summary>When the processor logged it, by the replica's clock.</summary>
    [Id(0)] public DateTimeOffset Time { get; init; }

    /// <summary>The attempt that logged it (1 for the first).</summary>
    [Id(1)] public int Attempt { get; init; }

    [Id(2)] public required string Message { get; init; }

    /// <summary>A line as stored: control characters but tab become spaces, and at most <see cref="MaxLength"/> characters.</summary>
    public static JobLogLine Create(DateTimeOffset time, int attempt, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = message.Length > MaxLength ? string.Concat(message.AsSpan(0, MaxLength - 1), "…") : message;
        if (text.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0)
        {
            text = string.Create(text.Length, text, static (span, source) =>
            {
                for (int i = 0; i < source.Length; i++)
                {
                    span[i] = char.IsControl(source[i]) && source[i] != '\t' ? ' ' : source[i];
                }
            });
        }

        return new JobLogLine { Time = time, Attempt = attempt, Message = text };
    }
}

/// <summary>Lines an attempt logged since it last sent some, and how many it dropped before sending (it keeps at most
/// <see cref="JobLogLine.MaxLines"/> unsent).</summary>
[GenerateSerializer, Immutable, Alias("zt.JobLogBatch")]
public sealed record JobLogBatch
{
    [Id(0)] public required IReadOnlyList<JobLogLine> Lines { get; init; }

    [Id(1)] public int Dropped { get; init; }
}
