using Spectre.Console;

namespace ZinTrust.Workers.Cli;

/// <summary>
/// Spectre consoles over the CLI's writers. Colours and ANSI codes only on a real terminal: redirected output
/// (a pipe, a file, a test's <see cref="StringWriter"/>) gets plain text that can be grepped and asserted on.
/// </summary>
internal static class CliConsole
{
    /// <summary>Width for output that is not a terminal: wide enough that tables do not wrap in pipes and files.</summary>
    public const int RedirectedWidth = 160;

    public static IAnsiConsole Create(TextWriter writer)
    {
        bool terminal = IsTerminal(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            // Live output (the spinner) only on a terminal; prompts read the CLI's own input, never Spectre's.
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
            console.Profile.Capabilities.Unicode = true;
        }

        return console;
    }

    /// <summary>Whether <paramref name="writer"/> is the process's standard output and that is a terminal (not a pipe or a file).</summary>
    public static bool IsTerminal(TextWriter writer) => ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>A title and a heavy rule as long as the title, as the seed prints its status blocks.</summary>
    public static void Heading(this IAnsiConsole console, string title)
    {
        console.MarkupLineInterpolated($"[bold]{title}[/]");
        console.WriteLine(new string('━', Math.Max(title.Length, 1)));
    }

    /// <summary>"Label: value", the value already escaped markup (so callers can colour it).</summary>
    public static void Field(this IAnsiConsole console, string label, string markup, int indent = 0) =>
        console.MarkupLine($"{new string(' ', indent)}{Markup.Escape(label)}: {markup}");

    /// <summary>"Label: value" with the value taken literally.</summary>
    public static void PlainField(this IAnsiConsole console, string label, string value, int indent = 0) =>
        console.Field(label, Markup.Escape(value), indent);
}
