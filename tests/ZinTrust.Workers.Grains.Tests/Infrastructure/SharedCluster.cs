namespace ZinTrust.Workers.Grains.Tests;

/// <summary>One 2-silo cluster shared by the tests of a collection (tests use distinct worker and queue names).</summary>
public sealed class SharedCluster : IAsyncLifetime
{
    private WorkersCluster? cluster;

    public WorkersCluster Cluster => cluster ?? throw new InvalidOperationException("Cluster not started.");

    public async ValueTask InitializeAsync() => cluster = await WorkersCluster.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(nameof(SharedClusterCollection))]
public sealed class SharedClusterCollection : ICollectionFixture<SharedCluster>;
