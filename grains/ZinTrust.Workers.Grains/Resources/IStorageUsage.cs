namespace ZinTrust.Workers.Grains;

/// <summary>
/// How much a storage backend holds, for storage cost estimates. Backends that can tell cheaply register one
/// (the Redis job store does); the resource monitor sums them.
/// </summary>
public interface IStorageUsage
{
    /// <summary>The backend, for logs.</summary>
    string Name { get; }

    Task<long> GetBytesAsync(CancellationToken cancellationToken);
}
