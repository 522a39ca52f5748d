using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli.Tests;

/// <summary>A silo that evaluates alerts every second and raises at once on a queue with more than one waiting job.</summary>
public sealed class AlertingSiloProcess : SiloProcess
{
    protected override IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["WORKER_ALERT_INTERVAL"] = "1",
        ["WORKER_ALERT_RAISE_AFTER"] = "1",
        ["WORKER_ALERT_QUEUE_DEPTH"] = "1",
    };
}

/// <summary><c>zin resource:alerts</c> and <c>zin resource:trends</c> against a real silo process, and their tables.</summary>
public sealed class AlertCommandsTests(AlertingSiloProcess silo) : IClassFixture<AlertingSiloProcess>
{
    private Task<CliResult> Zin(params string[] args) => Cli.RunAsync([.. args, .. silo.Target]);

    [Fact]
    public async Task ResourceAlerts_ShowsARaisedAlert_InATable_AndAsTheServicesJson()
    {
        var worker = await silo.CreateWorkerAsync("cli-alerted", "cli-alerted-q");
        await silo.PostJsonAsync("/api/queues/cli-alerted-q/jobs", new[] { new { payload = 1 }, new { payload = 2 }, new { payload = 3 } });
        await Eventually.True(
            async () => (await silo.GetJsonAsync("/api/resources/alerts?state=active")).GetProperty("alerts").EnumerateArray().Any(a => a.GetProperty("subject").GetString() == "cli-alerted-q"),
            "an alert for the deep queue");

        var table = await Zin("resource:alerts", "--state", "active");
        var json = await Zin("resource:alerts", "--json", "--limit", "5");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(table.OutputLines, l => l.Contains("queue.depth", StringComparison.Ordinal) && l.Contains("cli-alerted-q", StringComparison.Ordinal) && l.Contains("warning", StringComparison.Ordinal));
        Assert.Contains(table.OutputLines, l => l.StartsWith("Resource alerts disabled", StringComparison.Ordinal));
        Assert.True(json.ExitCode == 0, json.ToString());
        using var body = JsonDocument.Parse(json.Output);
        Assert.True(body.RootElement.GetProperty("ok").GetBoolean());
        Assert.True(body.RootElement.GetProperty("count").GetInt32() <= 5);
        Assert.NotNull(worker);
    }

    [Fact]
    public async Task ResourceTrends_ShowsTheWindow_AndTheJsonAnswer()
    {
        var text = await Zin("resource:trends", "--hours", "2");
        var json = await Zin("resource:trends", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal("Trends over the last 2 hour(s) (least-squares):", text.OutputLines[0]);
        Assert.True(json.ExitCode == 0, json.ToString());
        using var body = JsonDocument.Parse(json.Output);
        Assert.Equal(1, body.RootElement.GetProperty("hours").GetDouble());
    }

    [Theory]
    [InlineData("resource:alerts", "--state", "bogus")]
    [InlineData("resource:alerts", "--limit", "0")]
    [InlineData("resource:trends", "--hours", "25")]
    public async Task ABadOption_IsAUsageError(params string[] args)
    {
        var result = await Zin(args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("[ERROR] --", result.ErrorLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void AlertsTable_ShowsActiveAndResolvedAlerts_WithTheirWhy()
    {
        var lines = Render(ResourceAlertCommands.RenderAlerts, """
            {"ok":true,"enabled":true,"resourceAlerts":{"enabled":true,"reason":"running","detail":"x"},"active":1,"resolved":1,"alerts":[
             {"id":"a","rule":"silo.cpu","subjectKind":"silo","subject":"S1","severity":"critical","state":"active","value":97.5,"threshold":95,
              "unit":"percent","since":"2026-01-01T00:00:00Z","resolvedAt":null,"message":"CPU 97.5%","resolution":null},
             {"id":"b","rule":"queue.oldest-wait","subjectKind":"queue","subject":"emails","severity":"warning","state":"resolved","value":30,"threshold":300,
              "unit":"seconds","since":"2026-01-01T00:00:00Z","resolvedAt":"2026-01-01T00:05:00Z","message":"m","resolution":"Back to 30s"}]}
            """);

        Assert.Contains(lines, l => l.Contains("critical", StringComparison.Ordinal) && l.Contains("97.5%", StringComparison.Ordinal) && l.Contains("CPU 97.5%", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("resolved 2026-01-01", StringComparison.Ordinal) && l.Contains("30.0s", StringComparison.Ordinal) && l.Contains("Back to 30s", StringComparison.Ordinal));
        Assert.Equal("1 active, 1 resolved kept.", lines[^1]);
        Assert.Equal(["No alerts."], Render(ResourceAlertCommands.RenderAlerts, """{"ok":true,"enabled":true,"resourceAlerts":{"enabled":true},"alerts":[]}"""));
    }

    private static string[] Render(Action<JsonElement, IAnsiConsole> render, string json)
    {
        using var writer = new StringWriter();
        using var document = JsonDocument.Parse(json);
        render(document.RootElement, CliConsole.Create(writer));
        return writer.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
    }
}
