using System.CommandLine;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>What the worker commands share: the NAME argument and the seed's status word.</summary>
internal static class WorkerArguments
{
    /// <summary>What a command on one worker does, given the worker's name.</summary>
    public delegate Task<int> RunOnWorker(string worker, ParseResult parseResult, ApiClient client, IAnsiConsole console, CancellationToken cancellationToken);

    /// <summary>A REST command on one worker, <c>zin {name} NAME</c>; <paramref name="failure"/> says what it was doing with that worker.</summary>
    public static Command ForWorker(string name, string description, CliContext context, Func<string, string> failure, RunOnWorker run)
    {
        var worker = new Argument<string>("name") { Description = "The worker's name" };
        var command = ApiCommand.Create(
            name,
            description,
            context,
            r => failure(r.GetValue(worker) ?? ""),
            (r, client, console, cancellationToken) => run(r.GetRequiredValue(worker), r, client, console, cancellationToken));
        command.Arguments.Add(worker);
        return command;
    }

    /// <summary>The seed's word for a running worker.</summary>
    public static string DisplayStatus(string? status) => status switch
    {
        null => "unknown",
        "running" => "active",
        _ => status,
    };
}
