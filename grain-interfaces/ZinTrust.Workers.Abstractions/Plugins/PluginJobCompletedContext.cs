namespace ZinTrust.Workers.Abstractions;

/// <summary>A job attempt whose processor returned.</summary>
public sealed record PluginJobCompletedContext
{
    public required PluginJobContext Job { get; init; }

    /// <summary>How long the processor ran.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>The result as JSON text.</summary>
    public string? Result { get; init; }
}
