using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The failover hook, with its own cluster (a silo is killed).</summary>
public sealed class PluginFailoverTests
{
    [Fact]
    public async Task ReplicaReestablishedOnAnotherSilo_CallsOnFailover_FromTheLostSilo()
    {
        var journal = new HookJournal();
        await using var c = await WorkersCluster.StartAsync(silos: 2, workers: w => w.AddPlugin(new RecordingPlugin("watcher", journal)));
        var worker = await c.StartWorker("plug-failover", "q-plug-failover", replicas: 2);
        var start = await Eventually.Get(
            () => Task.FromResult(journal.About("plug-failover").FirstOrDefault(e => e.Hook == "workerStart")),
            e => e is not null,
            "the worker start hook ran");
        var replicas = (await worker.GetStatus()).Replicas;

        // The worker grain remembers where its replicas ran: kill a replica's silo that does not host the worker grain.
        var lost = replicas.FirstOrDefault(r => r.Silo != start!.Silo);
        Assert.True(lost is not null, $"both replicas run with the worker grain on {start!.Silo}; the spread placement should prevent that");
        await c.Cluster.KillSiloAsync(c.Cluster.Silos.Single(s => s.SiloAddress.ToString() == lost.Silo), TestContext.Current.CancellationToken);

        var failover = await Eventually.Get(
            () => Task.FromResult(journal.About("plug-failover").FirstOrDefault(e => e.Hook == "failover")),
            e => e is not null,
            "the failover hook ran");

        var context = (PluginFailoverContext)failover!.Context!;
        Assert.Equal((lost.ReplicaId, lost.Silo, start.Silo), (context.ReplicaId, context.FromSilo, context.ToSilo));
    }
}
