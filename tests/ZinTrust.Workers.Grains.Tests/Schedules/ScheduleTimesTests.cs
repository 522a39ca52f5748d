using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Grains.Tests.Schedules;

public sealed class ScheduleTimesTests
{
    private static readonly DateTimeOffset Jan1 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ScheduleDefinition Cron(string cron, string? zone = null) => new() { Id = "nightly", Queue = "reports", Cron = cron, TimeZone = zone };

    private static ScheduleDefinition Every(TimeSpan every, TimeSpan offset = default) => new() { Id = "ticker", Queue = "reports", Every = every, Offset = offset };

    [Fact]
    public void FiveFields_AreMinutePrecision_SixFields_StartWithSeconds()
    {
        Assert.Equal(Jan1.AddMinutes(15), ScheduleTimes.Next(Cron("*/15 * * * *"), Jan1));
        Assert.Equal(Jan1.AddSeconds(30), ScheduleTimes.Next(Cron("30 * * * * *"), Jan1));
        Assert.Equal(Jan1.AddMinutes(30), ScheduleTimes.Next(Cron("*/15 * * * *"), Jan1.AddMinutes(15)));   // strictly after
    }

    [Fact]
    public void ACronInATimeZone_FollowsItsDaylightSavingTime()
    {
        var nine = Cron("0 9 * * *", "America/New_York");
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 14, 0, 0, TimeSpan.Zero), ScheduleTimes.Next(nine, new DateTimeOffset(2026, 1, 15, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 7, 15, 13, 0, 0, TimeSpan.Zero), ScheduleTimes.Next(nine, new DateTimeOffset(2026, 7, 15, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void AnInterval_CountsFromTheEpochPlusItsOffset_WithinStartAndEnd()
    {
        var quarterPast = Every(TimeSpan.FromHours(1), TimeSpan.FromMinutes(15));
        Assert.Equal(Jan1.AddMinutes(15), ScheduleTimes.Next(quarterPast, Jan1));
        Assert.Equal(Jan1.AddMinutes(75), ScheduleTimes.Next(quarterPast, Jan1.AddMinutes(15)));

        var bounded = quarterPast with { StartAt = Jan1.AddHours(5), EndAt = Jan1.AddHours(6).AddMinutes(15) };
        Assert.Equal(Jan1.AddHours(5).AddMinutes(15), ScheduleTimes.Next(bounded, Jan1));
        Assert.Equal(Jan1.AddHours(6).AddMinutes(15), ScheduleTimes.Next(bounded, Jan1.AddHours(5).AddMinutes(15)));
        Assert.Null(ScheduleTimes.Next(bounded, Jan1.AddHours(6).AddMinutes(15)));

        var startsOnOne = Every(TimeSpan.FromMinutes(10)) with { StartAt = Jan1.AddMinutes(20) };
        Assert.Equal(Jan1.AddMinutes(20), ScheduleTimes.Next(startsOnOne, Jan1));   // the start itself is an occurrence
    }

    [Fact]
    public void Between_ListsEveryOccurrenceInTheRange_AndRefusesMoreThanAThousand()
    {
        Assert.Equal([Jan1, Jan1.AddMinutes(15), Jan1.AddMinutes(30)], ScheduleTimes.Between(Cron("*/15 * * * *"), Jan1, Jan1.AddMinutes(30)));
        var tooMany = Assert.Throws<WorkersException>(() => ScheduleTimes.Between(Every(TimeSpan.FromSeconds(1)), Jan1, Jan1.AddHours(1)));
        Assert.Equal(WorkersErrorCodes.InvalidSchedule, tooMany.Code);
    }

    [Fact]
    public void Jitter_IsBounded_AndTheSameForTheSameOccurrence()
    {
        var jittered = Every(TimeSpan.FromMinutes(1)) with { Jitter = TimeSpan.FromSeconds(30) };
        var delays = Enumerable.Range(0, 50).Select(i => ScheduleTimes.JitterOf(jittered, Jan1.AddMinutes(i))).ToArray();
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromSeconds(30)));
        Assert.True(delays.Distinct().Count() > 10, "occurrences get different delays");
        Assert.Equal(ScheduleTimes.JitterOf(jittered, Jan1.AddMinutes(7)), ScheduleTimes.JitterOf(jittered, Jan1.AddMinutes(7)));
        Assert.Equal(TimeSpan.Zero, ScheduleTimes.JitterOf(Every(TimeSpan.FromMinutes(1)), Jan1));
    }

    private static readonly (ScheduleDefinition Definition, string Field)[] Invalid =
    [
        (new ScheduleDefinition { Id = "x", Queue = "reports", Cron = "* * * * *" }, "id"),
        (new ScheduleDefinition { Id = "nightly", Queue = "q", Cron = "* * * * *" }, "queue"),
        (new ScheduleDefinition { Id = "nightly", Queue = "reports" }, "exactly one of cron and every"),
        (new ScheduleDefinition { Id = "nightly", Queue = "reports", Cron = "* * * * *", Every = TimeSpan.FromMinutes(1) }, "exactly one of cron and every"),
        (new ScheduleDefinition { Id = "nightly", Queue = "reports", Cron = "every day" }, "cron"),
        (new ScheduleDefinition { Id = "nightly", Queue = "reports", Cron = "* * * * *", TimeZone = "Mars/Olympus" }, "timeZone"),
        (new ScheduleDefinition { Id = "nightly", Queue = "reports", Every = TimeSpan.FromMilliseconds(10) }, "every"),
        (new ScheduleDefinition { Id = "nightly", Queue = "reports", Every = TimeSpan.FromMinutes(1), Offset = TimeSpan.FromMinutes(1) }, "offset"),
        (new ScheduleDefinition { Id = "nightly", Queue = "reports", Every = TimeSpan.FromMinutes(1), Jitter = TimeSpan.FromHours(2) }, "jitter"),
        (new ScheduleDefinition { Id = "nightly", Queue = "reports", Every = TimeSpan.FromMinutes(1), CatchupWindow = TimeSpan.FromDays(31) }, "catchupWindow"),
        (new ScheduleDefinition { Id = "nightly", Queue = "reports", Every = TimeSpan.FromMinutes(1), StartAt = Jan1, EndAt = Jan1 }, "endAt"),
        (new ScheduleDefinition { Id = "nightly", Queue = "reports", Every = TimeSpan.FromMinutes(1), Payload = "{oops" }, "payload"),
    ];

    [Fact]
    public void ABadDefinition_IsRefused_NamingTheField()
    {
        foreach (var (definition, field) in Invalid)
        {
            Assert.Contains(field, ScheduleTimes.Problem(definition) ?? $"(accepted: {definition})", StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AGoodDefinition_PassesTheChecks()
    {
        Assert.Null(ScheduleTimes.Problem(Cron("0 9 * * MON-FRI", "Europe/Berlin") with { Payload = "{\"report\":\"daily\"}" }));
        Assert.Null(ScheduleTimes.Problem(Every(TimeSpan.FromHours(1), TimeSpan.FromMinutes(15))));
    }
}
