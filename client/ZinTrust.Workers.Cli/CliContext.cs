namespace ZinTrust.Workers.Cli;

/// <summary>
/// What a run of the CLI talks to: its output and error writers, the environment it reads, and (for tests) the
/// HTTP handler under its client. The entry point passes the process's own.
/// </summary>
public sealed record CliContext(TextWriter Output, TextWriter Error)
{
    /// <summary>Reads an environment variable (ZIN_API_URL, ConnectionStrings__default ...). Default: the process environment.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>The names of the environment's variables (for <c>migrate:worker --all</c>: every ConnectionStrings__NAME). Default: the process environment's.</summary>
    public Func<IEnumerable<string>> EnvironmentNames { get; init; } = () => System.Environment.GetEnvironmentVariables().Keys.Cast<string>();

    /// <summary>Where a confirmation is read from (<c>dead-letter:delete</c> without <c>--yes</c>); null when nobody can answer.</summary>
    public TextReader? Input { get; init; }

    /// <summary>The name the CLI was invoked by, for its usage lines: <c>zin</c>, or <c>zintrust</c> (the original's other name).</summary>
    public string CommandName { get; init; } = "zin";

    /// <summary>The handler under the HTTP client; null for a new <see cref="SocketsHttpHandler"/> per command.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Whether Ctrl+C and SIGTERM cancel the running command (the process's entry point only).</summary>
    public bool HandleTermination { get; init; }
}
