using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// <c>zin job:show QUEUE ID</c> (state, attempts, result, error: GET /api/queues/{queue}/jobs/{id}), <c>job:cancel QUEUE ID</c>
/// (a waiting or running job) and <c>job:retry QUEUE ID</c> (a dead-lettered job); each with <c>--json</c>.
/// </summary>
internal static class JobCommands
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return Show(context);
        yield return Act(context, "cancel", "Cancel a waiting or running job (a finished one stays as it is)", "cancelled");
        yield return Act(context, "retry", "Retry a dead-lettered job: it waits again with fresh attempts", "is waiting again");
    }

    /// <summary>A command on one job, <c>zin {name} QUEUE ID</c>: <paramref name="run"/> gets the job's path.</summary>
    private static Command ForJob(string name, string description, CliContext context, Func<string, string> failure, Func<string, string, ParseResult, ApiClient, IAnsiConsole, CancellationToken, Task<int>> run)
    {
        var queue = new Argument<string>("queue") { Description = "The job's queue" };
        var id = new Argument<string>("id") { Description = "The job's id (as enqueueing answered)" };
        var command = ApiCommand.Create(name, description, context, p => failure(p.GetValue(id) ?? ""),
            (parseResult, client, console, cancellationToken) =>
            {
                var jobId = parseResult.GetRequiredValue(id);
                var path = $"/api/queues/{ApiClient.Segment(parseResult.GetRequiredValue(queue))}/jobs/{ApiClient.Segment(jobId)}";
                return run(path, jobId, parseResult, client, console, cancellationToken);
            });
        command.Arguments.Add(queue);
        command.Arguments.Add(id);
        return command;
    }

    private static Command Show(CliContext context) => ForJob(
        "job:show",
        "Show a job: state, attempts, progress, result or error, timestamps",
        context,
        id => $"get job '{id}'",
        async (path, _, parseResult, client, console, cancellationToken) =>
            await JsonOutput.ShowAsync(parseResult, await client.GetAsync(path, cancellationToken), context.Output, console, Render));

    private static Command Act(CliContext context, string action, string description, string done) => ForJob(
        $"job:{action}",
        description,
        context,
        id => $"{action} job '{id}'",
        async (path, id, parseResult, client, _, cancellationToken) =>
            await JsonOutput.MessageAsync(parseResult, await client.PostJsonAsync($"{path}/{action}", cancellationToken), context.Output, $"Job '{id}' {done}."));

    /// <summary>
    /// A heading, then State (a dead-lettered job is <c>failed</c>), Attempts, Progress, Version, the timestamps that are set,
    /// then the Result (compact JSON) or the Error and why it failed.
    /// </summary>
    public static void Render(JsonElement job, IAnsiConsole console)
    {
        console.Heading($"Job: {job.String("id") ?? "?"}");
        console.PlainField("Queue", job.String("queue") ?? "-");
        if (job.String("name") is { } name)
        {
            console.PlainField("Name", name);
        }

        var state = job.String("state") ?? "unknown";
        console.PlainField("State", state == "failed" ? "failed (dead-lettered)" : state);
        console.PlainField("Attempts", $"{job.Integer("attempts") ?? 0}/{job.Integer("maxAttempts") ?? 0}");
        console.PlainField("Progress", $"{job.Integer("progress") ?? 0}%");
        if (job.String("version") is { } version)
        {
            console.PlainField("Version", version);
        }

        foreach (var (member, label) in new[] { ("createdAt", "Created"), ("runAt", "Run at"), ("startedAt", "Started"), ("finishedAt", "Finished") })
        {
            if (job.Member(member).Text() is { } at)
            {
                console.PlainField(label, at);
            }
        }

        if (job.Member("result") is { } result)
        {
            console.PlainField("Result", result.GetRawText());
        }

        if (job.String("error") is { } error)
        {
            console.PlainField("Error", error);
        }

        if (job.String("failureReason") is { } reason)
        {
            console.PlainField("Failure reason", reason);
        }
    }
}
