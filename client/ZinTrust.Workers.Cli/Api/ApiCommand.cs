using System.CommandLine;
using System.Net;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// Builds a command that talks to the REST API: adds the connection options, resolves the endpoint, makes the
/// HTTP client, and turns every failure into the CLI's error lines and exit code (1 for a failure, 2 for bad
/// usage). Every such command takes <c>--json</c> (<see cref="JsonOutput"/>).
/// </summary>
internal static class ApiCommand
{
    /// <summary>What a REST command does once it has a client; returns the exit code.</summary>
    public delegate Task<int> Run(ParseResult parseResult, ApiClient client, IAnsiConsole console, CancellationToken cancellationToken);

    /// <summary>
    /// A REST command named <paramref name="name"/> that runs <paramref name="run"/>; <paramref name="failure"/> says
    /// what it was doing, for "[ERROR] Failed to {failure}: ..." (for example "start worker 'x'").
    /// </summary>
    public static Command Create(string name, string description, CliContext context, Func<ParseResult, string> failure, Run run)
    {
        var command = new Command(name, description);
        var options = new ApiOptions();
        options.AddTo(command);
        command.Options.Add(JsonOutput.CreateOption());
        command.SetAction((parseResult, cancellationToken) => InvokeAsync(parseResult, context, options, failure, run, cancellationToken));
        return command;
    }

    private static async Task<int> InvokeAsync(
        ParseResult parseResult, CliContext context, ApiOptions options, Func<ParseResult, string> failure, Run run, CancellationToken cancellationToken)
    {
        var endpoint = options.Resolve(parseResult, context.Environment, out var problem);
        if (endpoint is null)
        {
            await context.Error.WriteLineAsync($"[ERROR] {problem}");
            return ExitCodes.Usage;
        }

        using var http = context.HttpHandler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { ConnectTimeout = endpoint.Timeout });
        http.Timeout = endpoint.Timeout;
        try
        {
            return await run(parseResult, new ApiClient(http, endpoint), CliConsole.Create(context.Output), cancellationToken);
        }
        catch (ApiErrorException ex)
        {
            await context.Error.WriteLineAsync(ex.Code is null ? $"[ERROR] {ex.Message}" : $"[ERROR] {ex.Message} ({ex.Code})");
            if (Hint(ex.Status, endpoint.ApiKey is not null) is { } hint)
            {
                await context.Error.WriteLineAsync($"[INFO] {hint}");
            }

            return ExitCodes.Failure;
        }
        catch (ServiceUnreachableException ex)
        {
            await context.Error.WriteLineAsync($"[ERROR] Failed to {failure(parseResult)}: {ex.Message}");
            await context.Error.WriteLineAsync("[INFO] Ensure the worker service is running and the port is correct.");
            return ExitCodes.Failure;
        }
    }

    private static string? Hint(HttpStatusCode? status, bool keyGiven) => status switch
    {
        HttpStatusCode.Unauthorized when keyGiven => "The service did not accept the API key: check --api-key or ZIN_API_KEY.",
        HttpStatusCode.Unauthorized => "The service needs an API key: pass --api-key KEY or set ZIN_API_KEY.",
        HttpStatusCode.Forbidden => "The API key (--api-key or ZIN_API_KEY) is not allowed to do this: use a key with a role that may.",
        _ => null,
    };
}
