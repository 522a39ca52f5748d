using System.CommandLine;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// <c>zin worker:start|stop|restart NAME [--json]</c>: POST /api/workers/{name}/{action}, printing the service's message. The
/// service answers once the worker has started or drained, so a terminal shows a spinner meanwhile.
/// </summary>
internal static class WorkerLifecycleCommand
{
    /// <summary>
    /// <paramref name="action"/> is start, stop or restart (the route's last segment); <paramref name="done"/> its past
    /// tense, for the message when the service gives none; <paramref name="waiting"/> the spinner's line ("Stopping").
    /// </summary>
    public static Command Create(CliContext context, string action, string done, string waiting, string description) => WorkerArguments.ForWorker(
        $"worker:{action}",
        description,
        context,
        worker => $"{action} worker '{worker}'",
        async (worker, parseResult, client, console, cancellationToken) =>
        {
            var response = await Waiting.RunAsync(context, parseResult, console, $"{waiting} worker '{worker}'...",
                () => client.PostJsonAsync($"/api/workers/{ApiClient.Segment(worker)}/{action}", cancellationToken));
            return await JsonOutput.MessageAsync(parseResult, response, context.Output, $"Worker '{worker}' {done}.");
        });
}
