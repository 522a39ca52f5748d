using System.CommandLine;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// A spinner with a line saying what the command waits for (a worker draining, a prune), while a call that may take a
/// while runs. Only on a terminal and without <c>--json</c>: redirected output and scripts get the result lines alone.
/// </summary>
internal static class Waiting
{
    /// <summary>Whether a spinner is shown: output to a terminal, and not --json.</summary>
    public static bool Shows(bool terminal, bool json) => terminal && !json;

    /// <summary>Runs <paramref name="work"/>, with the spinner and <paramref name="status"/> when <see cref="Shows"/>.</summary>
    public static async Task<T> RunAsync<T>(CliContext context, ParseResult parseResult, IAnsiConsole console, string status, Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        if (!Shows(CliConsole.IsTerminal(context.Output), JsonOutput.Requested(parseResult)))
        {
            return await work();
        }

        return await console.Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(Markup.Escape(status), _ => work());
    }
}
