namespace ZinTrust.Workers.Cli;

/// <summary>
/// What a run of the CLI talks to: its output and error writers, the environment it reads, and (for tests) the
/// HTTP handler under its client. The entry point passes the process's own.
/// </summary>
public sealed record CliContext(TextWriter Output, TextWriter Error)
{
    /// <summary>Reads an environment variable (ZIN_API_URL, ConnectionStrings__default ...). Default: the process environment.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>The handler under the HTTP client; null for a new <see cref="SocketsHttpHandler"/> per command.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Whether Ctrl+C and SIGTERM cancel the running command (the process's entry point only).</summary>
    public bool HandleTermination { get; init; }
}
