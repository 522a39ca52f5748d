using System.CommandLine;

namespace ZinTrust.Workers.Cli;

/// <summary><c>zin worker:start|stop|restart NAME</c>: POST /api/workers/{name}/{action}, printing the service's message.</summary>
internal static class WorkerLifecycleCommand
{
    /// <summary>
    /// <paramref name="action"/> is start, stop or restart (the route's last segment); <paramref name="done"/> its past
    /// tense, for the message when the service gives none.
    /// </summary>
    public static Command Create(CliContext context, string action, string done, string description) => WorkerArguments.ForWorker(
        $"worker:{action}",
        description,
        context,
        worker => $"{action} worker '{worker}'",
        async (worker, _, client, _, cancellationToken) =>
        {
            var response = await client.PostJsonAsync($"/api/workers/{ApiClient.Segment(worker)}/{action}", cancellationToken);
            await context.Output.WriteLineAsync(response.String("message") ?? $"Worker '{worker}' {done}.");
            return ExitCodes.Success;
        });
}
