namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// A processor loaded from an assembly rather than registered by name: a file under the silo's processor root
/// (<see cref="Path"/>) or an https address on the silo's allow-list (<see cref="Url"/>), pinned by the SHA-256 of the
/// assembly's bytes. Every silo that runs a replica fetches and loads it itself; the digest makes them all run the same
/// bytes. The loaded code runs with the silo's full rights: a spec is configuration only an admin may set.
/// </summary>
[GenerateSerializer, Immutable, Alias("zt.ProcessorSpec")]
public sealed record ProcessorSpec
{
    /// <summary>The assembly's path relative to WORKER_PROCESSOR_ROOT; set this or <see cref="Url"/>.</summary>
    [Id(0)] public string? Path { get; init; }

    /// <summary>An https address whose host is on REMOTE_PROCESSOR_ALLOWLIST; set this or <see cref="Path"/>.</summary>
    [Id(1)] public string? Url { get; init; }

    /// <summary>The SHA-256 of the assembly's bytes, 64 hex digits (required; compared before anything is loaded).</summary>
    [Id(2)] public required string Sha256 { get; init; }

    /// <summary>The full name of the public class implementing <see cref="IJobProcessor"/>; null: the assembly's only such class.</summary>
    [Id(3)] public string? Type { get; init; }

    /// <summary>Where the assembly comes from, for messages: the path or the address.</summary>
    public string Location => Path ?? Url ?? "";
}
