using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// <c>--json</c>, which every command that talks to the service takes: standard output then holds the service's answer
/// exactly as it came (one JSON document, nothing else), for scripts; without it the answer is rendered for people.
/// Errors go to standard error either way, so a script reads the exit code and parses standard output.
/// </summary>
internal static class JsonOutput
{
    public const string OptionName = "--json";

    public static Option<bool> CreateOption() => new(OptionName) { Description = "Print the service's JSON answer as it came (for scripts); errors stay on standard error" };

    /// <summary>Whether the command took --json and was given it.</summary>
    public static bool Requested(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return parseResult.CommandResult.Command.Options.Any(o => o.Name == OptionName) && parseResult.GetValue<bool>(OptionName);
    }

    /// <summary>A read: the body as it came with --json, else rendered for people.</summary>
    public static async Task<int> ShowAsync(ParseResult parseResult, string body, TextWriter output, IAnsiConsole console, Action<JsonElement, IAnsiConsole> render)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(render);
        if (Requested(parseResult))
        {
            await output.WriteLineAsync(body.Trim());
        }
        else
        {
            render(ApiClient.Parse(body), console);
        }

        return ExitCodes.Success;
    }

    /// <summary>An answer already parsed: its JSON text with --json, else rendered for people.</summary>
    public static Task<int> ShowAsync(ParseResult parseResult, JsonElement response, TextWriter output, IAnsiConsole console, Action<JsonElement, IAnsiConsole> render) =>
        ShowAsync(parseResult, response.GetRawText(), output, console, render);

    /// <summary>An action's answer: its JSON with --json, else the service's <c>message</c> (or <paramref name="fallback"/>).</summary>
    public static async Task<int> MessageAsync(ParseResult parseResult, JsonElement response, TextWriter output, string fallback)
    {
        ArgumentNullException.ThrowIfNull(output);
        await output.WriteLineAsync(Requested(parseResult) ? response.GetRawText() : response.String("message") ?? fallback);
        return ExitCodes.Success;
    }
}
