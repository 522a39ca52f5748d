using System.Text.Json;
using Cronos;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// When a schedule fires, computed without a grain or a clock: cron expressions through Cronos (five fields, or six with
/// seconds first; in the schedule's IANA time zone), fixed intervals from the Unix epoch plus an offset; both within the
/// start and end times. Also the checks a definition must pass.
/// </summary>
public static class ScheduleTimes
{
    public const int MaxBackfill = 1_000;
    private static readonly TimeSpan MaxEvery = TimeSpan.FromDays(366);
    private static readonly TimeSpan MaxJitter = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxCatchup = TimeSpan.FromDays(30);

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null when there is none (past the end).</summary>
    public static DateTimeOffset? Next(ScheduleDefinition definition, DateTimeOffset after)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.StartAt is { } start && after < start)
        {
            after = start - TimeSpan.FromTicks(1);   // the start itself may be an occurrence
        }

        DateTimeOffset? next;
        if (definition.Cron is { } cron)
        {
            next = Parse(cron).GetNextOccurrence(after, Zone(definition.TimeZone), inclusive: false);
        }
        else
        {
            var every = definition.Every!.Value.Ticks;
            var anchor = DateTimeOffset.UnixEpoch.Ticks + definition.Offset.Ticks;
            var passed = after.UtcTicks - anchor;
            var k = passed < 0 ? 0 : (passed / every) + 1;
            next = new DateTimeOffset(anchor + (k * every), TimeSpan.Zero);
        }

        return next is { } n && (definition.EndAt is not { } end || n <= end) ? n : null;
    }

    /// <summary>Every occurrence in [from, to], in order; INVALID_SCHEDULE past <see cref="MaxBackfill"/>.</summary>
    public static IReadOnlyList<DateTimeOffset> Between(ScheduleDefinition definition, DateTimeOffset from, DateTimeOffset to)
    {
        var found = new List<DateTimeOffset>();
        for (var next = Next(definition, from - TimeSpan.FromTicks(1)); next is { } n && n <= to; next = Next(definition, n))
        {
            if (found.Count == MaxBackfill)
            {
                throw new WorkersException(WorkersErrorCodes.InvalidSchedule, $"The range holds more than {MaxBackfill} occurrences; backfill a shorter one.");
            }

            found.Add(n);
        }

        return found;
    }

    /// <summary>The delay of an occurrence's job: a share of the jitter fixed by the schedule and the occurrence, so firing the
    /// same occurrence again asks for the same job.</summary>
    public static TimeSpan JitterOf(ScheduleDefinition definition, DateTimeOffset occurrence)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Jitter <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var hash = System.IO.Hashing.XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes($"{definition.Id}:{occurrence.ToUnixTimeMilliseconds()}"));
        return TimeSpan.FromMilliseconds(hash % (ulong)Math.Max(1, definition.Jitter.TotalMilliseconds));
    }

    /// <summary>What is wrong with a definition, or null (each message names the field).</summary>
    public static string? Problem(ScheduleDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!WorkerValidation.IsValidName(definition.Id))
        {
            return "id must match ^[a-zA-Z0-9_-]{3,50}$.";
        }

        if (!WorkerValidation.IsValidName(definition.Queue))
        {
            return "queue must match ^[a-zA-Z0-9_-]{3,50}$.";
        }

        if ((definition.Cron is null) == (definition.Every is null))
        {
            return "Give exactly one of cron and every.";
        }

        if (definition.Cron is { } cron)
        {
            try
            {
                Parse(cron);
            }
            catch (CronFormatException)
            {
                return $"cron: '{Shorten(cron)}' is not a cron expression (five fields, or six with seconds first).";
            }

            try
            {
                Zone(definition.TimeZone);
            }
            catch (TimeZoneNotFoundException)
            {
                return $"timeZone: '{Shorten(definition.TimeZone!)}' is not a known IANA time zone.";
            }
        }
        else
        {
            if (definition.TimeZone is not null)
            {
                return "timeZone applies to cron only.";
            }

            if (definition.Every!.Value < TimeSpan.FromSeconds(1) || definition.Every.Value > MaxEvery)
            {
                return "every must be 1 s .. 366 days.";
            }
        }

        if (definition.Offset < TimeSpan.Zero || (definition.Every is { } e && definition.Offset >= e) || (definition.Cron is not null && definition.Offset != TimeSpan.Zero))
        {
            return "offset must be 0 .. every, and applies to every only.";
        }

        if (definition.CatchupWindow < TimeSpan.Zero || definition.CatchupWindow > MaxCatchup)
        {
            return "catchupWindow must be 0 .. 30 days.";
        }

        if (definition.Jitter < TimeSpan.Zero || definition.Jitter > MaxJitter)
        {
            return "jitter must be 0 .. 1 hour.";
        }

        if (definition.StartAt is { } start && definition.EndAt is { } end && end <= start)
        {
            return "endAt must be after startAt.";
        }

        if (!Enum.IsDefined(definition.Overlap))
        {
            return "overlap must be skip, bufferOne, allowAll or cancelOther.";
        }

        try
        {
            using var _ = JsonDocument.Parse(definition.Payload);
        }
        catch (JsonException)
        {
            return "payload must be JSON.";
        }

        return null;
    }

    private static CronExpression Parse(string cron) =>
        CronExpression.Parse(cron.Trim(), cron.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);

    private static TimeZoneInfo Zone(string? id) => id is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id);

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
