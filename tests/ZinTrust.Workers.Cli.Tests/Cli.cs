namespace ZinTrust.Workers.Cli.Tests;

/// <summary>What one run of the CLI printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string[] OutputLines => Output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

    public string[] ErrorLines => Error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}--- stderr ---\n{Error}";
}

/// <summary>
/// Runs the CLI in this process with captured writers and an environment of its own (empty unless given), so a
/// developer's ZIN_API_* variables never leak into a test; input (an operator's answers) only when given.
/// </summary>
public static class Cli
{
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, new Dictionary<string, string>());

    public static async Task<CliResult> RunAsync(string[] args, IReadOnlyDictionary<string, string> environment, HttpMessageHandler? handler = null, string? input = null)
    {
        using var reader = input is null ? null : new StringReader(input);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error)
        {
            Environment = name => environment.GetValueOrDefault(name),
            EnvironmentNames = () => environment.Keys,
            HttpHandler = handler,
            Input = reader,
        };
        int exitCode = await CliApp.RunAsync(args, context, TestContext.Current.CancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
