namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>A COPY or ADD: its flags, sources and destination.</summary>
public sealed record DockerCopy(string Keyword, IReadOnlyList<string> Flags, IReadOnlyList<string> Sources, string Destination)
{
    /// <summary>The stage or image it copies from (--from=…), or null when it copies from the build context.</summary>
    public string? From => Flags.FirstOrDefault(f => f.StartsWith("--from=", StringComparison.Ordinal))?["--from=".Length..];
}
