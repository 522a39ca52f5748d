namespace ZinTrust.Workers.Abstractions;

/// <summary>Resolves processors that were not registered by name (for example from a plugin catalogue).</summary>
public interface IProcessorResolver
{
    /// <summary>The processor for <paramref name="processorName"/>, or null when this resolver does not know it.</summary>
    IJobProcessor? Resolve(string processorName, IServiceProvider services);
}
