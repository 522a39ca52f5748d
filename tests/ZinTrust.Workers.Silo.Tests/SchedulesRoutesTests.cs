using System.Net;
using System.Text.Json;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>/api/schedules through the real host, on real time: create, fire, pause, resume, trigger, backfill, delete, bad input.</summary>
[Collection(nameof(SiloCollection))]
public sealed class SchedulesRoutesTests(SiloFixture fixture)
{
    private HttpClient Admin => fixture.Client;

    [Fact]
    public async Task ASchedule_EverySecond_EnqueuesJobsThatRun_WithItsIdInTheirHeaders()
    {
        await Admin.PostJson("/api/workers", new { name = "sched-runner", queueName = "sched-run-q", processor = SiloFactory.EnvelopeProcessor });
        await Admin.Post("/api/workers/sched-runner/start");
        var created = await Admin.PostJson("/api/schedules", new { id = "every-second", queue = "sched-run-q", everyMs = 1000, payload = new { report = "tick" }, overlap = "allowAll" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var schedule = (await created.Json()).GetProperty("schedule");
        Assert.Equal(("every-second", "allowAll", 1000.0), (schedule.Str("id"), schedule.Str("overlap"), schedule.GetProperty("everyMs").GetDouble()));
        Assert.Equal(JsonValueKind.String, schedule.GetProperty("nextRunAt").ValueKind);

        // Two occurrences have run: their jobs completed with the schedule's headers.
        var done = await Eventually.Get(
            async () => await (await Admin.Get("/api/queues/sched-run-q/jobs?state=completed")).Json(),
            jobs => jobs.GetProperty("jobs").GetArrayLength() >= 2,
            "two scheduled jobs complete");
        foreach (var job in done.GetProperty("jobs").EnumerateArray())
        {
            Assert.Equal("every-second", job.GetProperty("result").Str("schedule-id"));
            Assert.StartsWith("schedule:every-second:", job.Str("idempotencyKey"), StringComparison.Ordinal);
        }

        var status = await (await Admin.Get("/api/schedules/every-second")).Json();
        Assert.True(status.GetProperty("schedule").GetProperty("enqueued").GetInt64() >= 2);
        Assert.Equal(HttpStatusCode.OK, (await Admin.Delete("/api/schedules/every-second")).StatusCode);
    }

    [Fact]
    public async Task PauseResumeTriggerBackfillAndDelete_AnswerWithTheSchedule_AndSayWhoActed()
    {
        using var operatorClient = fixture.Factory.Client(ApiRole.Operator);
        var hourly = await Admin.PostJson("/api/schedules", new { id = "hourly-report", queue = "sched-ops-q", cron = "0 * * * *", timeZone = "Europe/Berlin", payload = new { } });
        Assert.Equal(HttpStatusCode.Created, hourly.StatusCode);

        var paused = await (await operatorClient.PostJson("/api/schedules/hourly-report/pause", new { note = "quarter close" })).Json();
        var p = paused.GetProperty("schedule");
        Assert.Equal((true, "test-operator", "quarter close"), (p.GetProperty("paused").GetBoolean(), p.Str("pausedBy"), p.Str("pauseNote")));
        Assert.Equal(JsonValueKind.Null, p.GetProperty("nextRunAt").ValueKind);

        var triggered = await (await operatorClient.Post("/api/schedules/hourly-report/trigger")).Json();
        var jobId = triggered.GetProperty("fires")[0].Str("jobId");
        Assert.Equal(HttpStatusCode.OK, (await Admin.Get($"/api/queues/sched-ops-q/jobs/{jobId}")).StatusCode);

        var now = DateTimeOffset.UtcNow;
        var backfilled = await (await operatorClient.PostJson("/api/schedules/hourly-report/backfill", new { from = now.AddHours(-3), to = now })).Json();
        Assert.Equal(3, backfilled.GetProperty("fires").GetArrayLength());
        Assert.All(backfilled.GetProperty("fires").EnumerateArray(), f => Assert.Equal("backfilled", f.Str("outcome")));

        var resumed = await (await operatorClient.Post("/api/schedules/hourly-report/resume")).Json();
        Assert.False(resumed.GetProperty("schedule").GetProperty("paused").GetBoolean());
        var listed = (await (await Admin.Get("/api/schedules")).Json()).GetProperty("schedules").EnumerateArray().Select(s => s.Str("id"));
        Assert.Contains("hourly-report", listed);

        Assert.Equal(HttpStatusCode.OK, (await Admin.Delete("/api/schedules/hourly-report")).StatusCode);
        var gone = await Admin.Get("/api/schedules/hourly-report");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("SCHEDULE_NOT_FOUND", (await gone.Json()).Str("code"));
    }

    [Theory]
    [InlineData("""{"id":"bad-cron","queue":"sched-q","cron":"every day"}""", "INVALID_SCHEDULE")]
    [InlineData("""{"id":"both","queue":"sched-q","cron":"* * * * *","everyMs":1000}""", "INVALID_SCHEDULE")]
    [InlineData("""{"id":"zone","queue":"sched-q","cron":"* * * * *","timeZone":"Nowhere/Atlantis"}""", "INVALID_SCHEDULE")]
    [InlineData("""{"id":"fast","queue":"sched-q","everyMs":5}""", "INVALID_SCHEDULE")]
    [InlineData("""{"id":"overlap","queue":"sched-q","everyMs":1000,"overlap":"sometimes"}""", "INVALID_SCHEDULE")]
    [InlineData("""{"id":"neg","queue":"sched-q","everyMs":-1}""", "INVALID_SCHEDULE")]
    [InlineData("""{"id":"x","queue":"sched-q","everyMs":1000}""", "INVALID_SCHEDULE")]
    [InlineData("""{"queue":"sched-q","everyMs":1000}""", "MISSING_REQUIRED_FIELD")]
    [InlineData("""{"id":"extra","queue":"sched-q","everyMs":1000,"color":"red"}""", "INVALID_BODY")]
    [InlineData("""{"id":"prio","queue":"sched-q","everyMs":1000,"priority":"urgent"}""", "INVALID_PRIORITY")]
    public async Task BadInput_IsA400_WithItsCode(string body, string code)
    {
        var response = await Admin.PostJson("/api/schedules", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, (await response.Json()).Str("code"));
    }

    [Fact]
    public async Task CreatingAnExistingSchedule_IsAConflict_ButPutReplacesIt()
    {
        var body = new { id = "twice", queue = "sched-twice-q", everyMs = 60_000 };
        Assert.Equal(HttpStatusCode.Created, (await Admin.PostJson("/api/schedules", body)).StatusCode);
        var again = await Admin.PostJson("/api/schedules", body);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("SCHEDULE_EXISTS", (await again.Json()).Str("code"));
        var replaced = await Admin.PutJson("/api/schedules/twice", new { queue = "sched-twice-q", everyMs = 120_000 });
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(120_000.0, (await replaced.Json()).GetProperty("schedule").GetProperty("everyMs").GetDouble());
        await Admin.Delete("/api/schedules/twice");
    }
}
