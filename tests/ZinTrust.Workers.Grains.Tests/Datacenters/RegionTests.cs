using Orleans.Hosting;
using Orleans.TestingHost;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Silos in two regions: placement stays in the worker's region, a dead primary region fails over to the secondary
/// with every job completing, and the replicas come home after the hold.</summary>
public sealed class RegionTests
{
    private const string East = "us-east";
    private const string West = "eu-west";

    // The in-process cluster names its silos Silo_0, Silo_1, ...; the first and the fourth are in the west, new ones in the east.
    private static readonly Dictionary<string, string> WestSilos = new(StringComparer.Ordinal) { ["Silo_0"] = West, ["Silo_3"] = West };

    private static Task<WorkersCluster> StartTwoRegions(int silos = 4, Action<WorkersOptions>? configure = null) =>
        WorkersCluster.StartAsync(
            silos: silos,
            configure: configure,
            silo: (name, builder) => builder.AddZinTrustWorkers(w => w.InRegion(WestSilos.GetValueOrDefault(name, East), zone: WestSilos.GetValueOrDefault(name, East) + "-a")));

    private static string RegionOf(WorkersCluster c, string? silo) =>
        c.Cluster.Silos.SingleOrDefault(s => s.SiloAddress.ToString() == silo) is { } handle ? WestSilos.GetValueOrDefault(handle.Name, East) : "(gone)";

    [Fact]
    public async Task APlacedWorker_RunsOnlyOnItsRegionsSilos_SpreadOverThem_AndMovesWhenPlacedElsewhere()
    {
        await using var c = await StartTwoRegions();
        var datacenter = c.Client.GetGrain<IDatacenterGrain>(0);
        await Eventually.True(async () => (await datacenter.GetTopology()).Regions.Count(r => r.Healthy && r.Silos.Count == 2) == 2, "both regions known with their silos");

        var worker = c.Worker("placed");
        await worker.Create(new WorkerDefinition { Name = "placed", QueueName = "q-placed", Processor = "echo", Replicas = 4, Placement = new WorkerPlacement { Region = West } });
        await worker.Start();
        var status = await worker.GetStatus();
        Assert.Equal(4, status.Replicas.Count(r => r.State == ReplicaState.Running));
        Assert.All(status.Replicas, r => Assert.Equal(West, RegionOf(c, r.Silo)));
        Assert.Equal(2, status.Replicas.Select(r => r.Silo).Distinct().Count());   // spread over both west silos
        Assert.All(status.Replicas, r => Assert.EndsWith($"~{West}/{r.ReplicaId[^1]}", r.ReplicaId));

        var topology = await datacenter.GetTopology();
        Assert.Equal(4, topology.Regions.Single(r => r.Region.Id == West).Replicas["placed"]);
        Assert.False(topology.Regions.Single(r => r.Region.Id == East).Replicas.ContainsKey("placed"));
        Assert.Contains(topology.Regions.Single(r => r.Region.Id == East).Silos, s => s.Zone == "us-east-a" && s.Status == "active");
        Assert.Equal(2, topology.Latencies.Count);
        Assert.All(topology.Latencies, l => Assert.True(l.Milliseconds is > 0 and < 1000, $"{l.From}->{l.To}: {l.Milliseconds}"));

        // A new placement moves the replicas: the east set starts, the west set drains and stops.
        await worker.SetPlacement(new WorkerPlacement { Region = East, Priority = "high", AffinityRules = ["near-db"] }, "ops");
        status = await worker.GetStatus();
        Assert.All(status.Replicas, r => Assert.Equal(East, RegionOf(c, r.Silo)));
        var acks = await c.Queue("q-placed").EnqueueBatch([.. Enumerable.Range(0, 50).Select(i => new EnqueueRequest { Payload = $"{{\"n\":{i}}}" })]);
        foreach (var ack in acks)
        {
            await c.WaitForState("q-placed", ack.JobId, JobState.Completed);
        }

        var regionStatus = await worker.GetRegionStatus();
        Assert.Equal((East, "placement", West, "ops"), (regionStatus.Region, regionStatus.Moves[^1].Kind, regionStatus.Moves[^1].From, regionStatus.Moves[^1].By));
        topology = await datacenter.GetTopology();
        Assert.Equal(4, topology.Regions.Single(r => r.Region.Id == East).Replicas["placed"]);
        Assert.False(topology.Regions.Single(r => r.Region.Id == West).Replicas.ContainsKey("placed"));
    }

    [Fact]
    public async Task KillingEverySiloOfThePrimaryRegion_FailsOverWithinTheInterval_EveryJobCompletes_AndFailsBackAfterTheHold()
    {
        await using var c = await StartTwoRegions(configure: o => o.SupervisionReminderPeriod = TimeSpan.FromSeconds(1));
        var datacenter = c.Client.GetGrain<IDatacenterGrain>(0);
        await Eventually.True(async () => (await datacenter.GetTopology()).Regions.Count(r => r.Healthy && r.Silos.Count == 2) == 2, "both regions known with their silos");
        await datacenter.RegisterRegion(new RegionDefinition { Id = West, Name = "EU West", Location = new GeoLocation { Lat = 53.3, Lon = -6.2 }, Capacity = 100 });

        var interval = TimeSpan.FromSeconds(2);
        var hold = TimeSpan.FromSeconds(3);
        var worker = c.Worker("regional");
        await worker.Create(new WorkerDefinition
        {
            Name = "regional",
            QueueName = "q-regional",
            Processor = "test",
            Replicas = 2,
            Concurrency = 5,
            JobOptions = new JobOptions { LeaseDuration = TimeSpan.FromSeconds(3) },
            DrainTimeout = TimeSpan.FromSeconds(5),
        });
        await worker.SetFailover(new FailoverPolicy { PrimaryRegion = East, SecondaryRegion = West, HealthCheckInterval = interval, FailbackHold = hold }, "ops");
        await worker.Start();
        Assert.All((await worker.GetStatus()).Replicas, r => Assert.Equal(East, RegionOf(c, r.Silo)));

        var acks = new List<EnqueueResult>(await c.Queue("q-regional").EnqueueBatch([.. Enumerable.Range(0, 300).Select(i => new EnqueueRequest { Payload = ExecutionLedger.Payload(new TestJob { SleepMs = 20, Tag = $"r{i}" }) })]));
        await Eventually.True(() => c.Ledger.Executions.Count >= 20, "the east replicas are busy");

        // The whole primary region dies at once.
        var killedAt = DateTimeOffset.UtcNow;
        var east = c.Cluster.Silos.Where(s => !WestSilos.ContainsKey(s.Name)).ToList();
        await Task.WhenAll(east.Select(s => c.Cluster.KillSiloAsync(s, TestContext.Current.CancellationToken)));
        acks.AddRange(await c.Queue("q-regional").EnqueueBatch([.. Enumerable.Range(0, 100).Select(i => new EnqueueRequest { Payload = ExecutionLedger.Payload(new TestJob { SleepMs = 5, Tag = $"d{i}" }) })]));

        var failedOver = await Eventually.Get(() => worker.GetRegionStatus(), s => s.Region == West, "the replicas moved to the secondary region", TimeSpan.FromSeconds(90));
        var move = failedOver.Moves[^1];
        Assert.Equal(("failover", East, West, "secondary"), (move.Kind, move.From, move.To, failedOver.FailoverState));
        // Within the interval plus a bound: the cluster's failure detection (declaring the silos dead) and one check period.
        Assert.InRange(move.At - killedAt, interval, TimeSpan.FromSeconds(60));
        foreach (var ack in acks)
        {
            await c.WaitForState("q-regional", ack.JobId, JobState.Completed, TimeSpan.FromSeconds(60));
        }

        Assert.All((await worker.GetStatus()).Replicas, r => Assert.Equal(West, RegionOf(c, r.Silo)));
        var topology = await datacenter.GetTopology();
        var eastView = topology.Regions.Single(r => r.Region.Id == East);
        Assert.False(eastView.Healthy);
        Assert.All(eastView.Silos, s => Assert.Equal("dead", s.Status));
        Assert.Equal(2, topology.Regions.Single(r => r.Region.Id == West).Replicas["regional"]);
        Assert.Equal(("EU West", true, 100), (topology.Regions.Single(r => r.Region.Id == West).Region.Name, topology.Regions.Single(r => r.Region.Id == West).Region.Registered, topology.Regions.Single(r => r.Region.Id == West).Region.Capacity));
        Assert.Equal("secondary", topology.Workers.Single(w => w.Worker == "regional").FailoverState);

        // The primary comes back (two new east silos): after the hold, and not before, the replicas go home.
        var restartedAt = DateTimeOffset.UtcNow;   // the east region cannot be healthy before this
        await c.Cluster.StartAdditionalSiloAsync();
        await c.Cluster.StartAdditionalSiloAsync();
        await Eventually.True(async () => (await datacenter.GetTopology()).Regions.Single(r => r.Region.Id == East).Healthy, "the east region is healthy again", TimeSpan.FromSeconds(30));
        var back = await Eventually.Get(() => worker.GetRegionStatus(), s => s.Region == East, "the replicas failed back", TimeSpan.FromSeconds(60));
        var failback = back.Moves[^1];
        Assert.Equal(("failback", West, East, "primary"), (failback.Kind, failback.From, failback.To, back.FailoverState));
        Assert.True(failback.At - restartedAt >= hold, $"failed back {failback.At - restartedAt} after the east silos started; the hold is {hold}");
        Assert.Single(back.Moves, m => m.Kind == "failover");   // no flapping
        Assert.All((await worker.GetStatus()).Replicas, r => Assert.Equal(East, RegionOf(c, r.Silo)));

        // Ledger: nothing lost or completed twice.
        var after = await c.Queue("q-regional").EnqueueBatch([.. Enumerable.Range(0, 50).Select(i => new EnqueueRequest { Payload = ExecutionLedger.Payload(new TestJob { Tag = $"a{i}" }) })]);
        foreach (var ack in after)
        {
            await c.WaitForState("q-regional", ack.JobId, JobState.Completed, TimeSpan.FromSeconds(30));
        }

        // Ledger: 450 acknowledged, 450 completed (each waited for above), none stored again after its terminal state; a job ran
        // twice only if it had started before the kill (its lease expired with the region).
        var all = acks.Concat(after).Select(a => a.JobId).ToList();
        var rerun = all.Where(id => c.Ledger.StartsOf(id) > 1).ToList();
        Assert.Equal(450, all.Distinct().Count());
        Assert.All(all, id => Assert.True(c.Ledger.StartsOf(id) >= 1));
        Assert.All(rerun, id => Assert.Contains(c.Ledger.For(id), e => e.StartedAt <= killedAt + TimeSpan.FromSeconds(1)));
        Assert.Empty(c.Store.JobsOverwrittenAfterTerminal());
    }

    [Fact]
    public async Task BadRegionsAndPolicies_AreRefusedWithTheirCodes()
    {
        await using var c = await StartTwoRegions(silos: 2);
        var datacenter = c.Client.GetGrain<IDatacenterGrain>(0);
        var worker = await c.StartWorker("validated", "q-validated", processor: "echo");

        async Task<string> Code(Func<Task> call) => (await Assert.ThrowsAsync<WorkersException>(call)).Code;

        Assert.Equal(WorkersErrorCodes.InvalidRegion, await Code(() => datacenter.RegisterRegion(new RegionDefinition { Id = "US East!" })));
        Assert.Equal(WorkersErrorCodes.InvalidRegion, await Code(() => datacenter.RegisterRegion(new RegionDefinition { Id = "mars-1", Location = new GeoLocation { Lat = 91, Lon = 0 } })));
        Assert.Equal(WorkersErrorCodes.InvalidRegion, await Code(() => datacenter.RegisterRegion(new RegionDefinition { Id = "mars-1", Capacity = -1 })));
        Assert.Equal(WorkersErrorCodes.RegionNotFound, await Code(() => worker.SetPlacement(new WorkerPlacement { Region = "mars-1" }, null)));
        Assert.Equal(WorkersErrorCodes.InvalidPlacement, await Code(() => worker.SetPlacement(new WorkerPlacement { Region = East, Priority = "urgent" }, null)));
        Assert.Equal(WorkersErrorCodes.InvalidFailoverPolicy, await Code(() => worker.SetFailover(new FailoverPolicy { PrimaryRegion = East, SecondaryRegion = East }, null)));
        Assert.Equal(WorkersErrorCodes.InvalidFailoverPolicy, await Code(() => worker.SetFailover(new FailoverPolicy { PrimaryRegion = East, SecondaryRegion = West, HealthCheckInterval = TimeSpan.FromMilliseconds(10) }, null)));
        Assert.Equal(WorkersErrorCodes.RegionNotFound, await Code(() => worker.SetFailover(new FailoverPolicy { PrimaryRegion = East, SecondaryRegion = "mars-1" }, null)));

        // A registered region is known even with no silo there; a policy fixes the placement's region to its primary.
        await datacenter.RegisterRegion(new RegionDefinition { Id = "mars-1", Name = "Mars" });
        await worker.SetFailover(new FailoverPolicy { PrimaryRegion = West, SecondaryRegion = "mars-1", AutoFailover = false }, "ops");
        Assert.Equal(West, (await worker.Get())!.Definition.Placement!.Region);
        Assert.Equal(WorkersErrorCodes.InvalidPlacement, await Code(() => worker.SetPlacement(new WorkerPlacement { Region = East }, null)));
        Assert.Equal(WorkersErrorCodes.InvalidPlacement, await Code(() => worker.SetPlacement(null, null)));
        Assert.Equal(WorkersErrorCodes.InvalidFailoverPolicy, await Code(() => worker.MoveToRegion(East, "failover", "test")));
        Assert.Equal(West, (await worker.GetRegionStatus()).Region);
        Assert.Equal([West, "mars-1", East], (await datacenter.ListRegions()).Select(r => r.Id));
    }
}
