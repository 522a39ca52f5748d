using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client.Tests;

[Collection(nameof(ClientClusterCollection))]
public sealed class ClientTests(ClientCluster fixture)
{
    public sealed record Greeting(string Name);

    public sealed record GreetingResult(string Text, int Attempt);

    [Fact]
    public async Task WorkerManager_AndTypedQueue_DriveAWorkerEndToEnd()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var services = fixture.Services();
        var workers = services.GetRequiredService<IWorkerManager>();
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<Greeting>("greetings");

        await workers.CreateAsync(new WorkerDefinition { Name = "greeter", QueueName = "greetings", Processor = "greeter" }, ct);
        var started = await workers.StartAsync("greeter", ct);
        var ack = await queue.EnqueueAsync(new Greeting("Ada"), new JobEnqueueOptions { Priority = JobPriority.High, IdempotencyKey = "ada" }, ct);
        var again = await queue.EnqueueAsync(new Greeting("Ada"), new JobEnqueueOptions { Priority = JobPriority.High, IdempotencyKey = "ada" }, ct);
        var reused = await Assert.ThrowsAsync<WorkersException>(() => queue.EnqueueAsync(new Greeting("Bob"), new JobEnqueueOptions { IdempotencyKey = "ada" }, ct));
        var result = await queue.WaitForResultAsync<GreetingResult>(ack.JobId, TimeSpan.FromSeconds(30), ct);
        var job = await queue.GetAsync(ack.JobId, ct);

        Assert.Equal(WorkerStatus.Running, started.Status);
        Assert.Equal(ack.JobId, again.JobId);
        Assert.False(again.Created);
        Assert.Equal(WorkersErrorCodes.IdempotencyKeyReused, reused.Code);
        Assert.Equal(new GreetingResult("hello Ada", 1), result);
        Assert.Equal(JobState.Completed, job!.State);
        Assert.Equal("ada", job.IdempotencyKey);
        Assert.Contains(await workers.ListAsync(cancellationToken: ct), w => w.Name == "greeter" && w.Status == WorkerStatus.Running);
        Assert.Equal(WorkerStatus.Stopped, (await workers.StopAsync("greeter", ct)).Status);
        var invalid = await Assert.ThrowsAsync<WorkersException>(() => workers.GetAsync("no", ct));
        Assert.Equal(WorkersErrorCodes.InvalidWorkerName, invalid.Code);
    }

    [Fact]
    public async Task Datacenters_RegisterARegion_PlaceAWorker_SetItsFailover_AndShowTheTopology()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var services = fixture.Services();
        var workers = services.GetRequiredService<IWorkerManager>();
        var datacenters = services.GetRequiredService<IDatacenters>();

        var west = await datacenters.RegisterRegionAsync(new RegionDefinition { Id = "client-west", Name = "Client West", Capacity = 10 }, ct);
        await datacenters.RegisterRegionAsync(new RegionDefinition { Id = "client-east" }, ct);
        await workers.CreateAsync(new WorkerDefinition { Name = "client-placed", QueueName = "client-placed", Processor = "greeter" }, ct);
        await datacenters.PlaceWorkerAsync("client-placed", new WorkerPlacement { Region = "client-west", Priority = "high" }, ct);
        var placed = await datacenters.SetFailoverPolicyAsync("client-placed", new FailoverPolicy { PrimaryRegion = "client-west", SecondaryRegion = "client-east", AutoFailover = false }, ct);
        var status = await datacenters.GetPlacementAsync("client-placed", ct);
        var topology = await datacenters.GetTopologyAsync(ct);
        var bad = await Assert.ThrowsAsync<WorkersException>(() => datacenters.PlaceWorkerAsync("client-placed", new WorkerPlacement { Region = "nowhere-1" }, ct));

        Assert.True(west.Registered);
        Assert.Contains(await datacenters.ListRegionsAsync(ct), r => r.Id == "client-west" && r.Name == "Client West" && r.Capacity == 10);
        Assert.Equal("client-west", placed.PlacedIn);
        Assert.Equal(("client-west", "primary", "high"), (status.Region, status.FailoverState, status.Placement!.Priority));
        Assert.Contains(topology.Workers, w => w.Worker == "client-placed" && w.Failover!.SecondaryRegion == "client-east");
        Assert.Contains(topology.Regions, r => r.Region.Id == "client-west" && !r.Healthy);   // registered, no silo there
        Assert.Equal(WorkersErrorCodes.RegionNotFound, bad.Code);
        await workers.DeleteAsync("client-placed", ct);
    }

    [Fact]
    public async Task Schedules_CreateTriggerPauseListAndDelete_ThroughTheClient()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var services = fixture.Services();
        var schedules = services.GetRequiredService<ISchedules>();
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<Greeting>("client-scheduled");

        var created = await schedules.PutAsync(new ScheduleDefinition { Id = "client-daily", Queue = "client-scheduled", Cron = "0 6 * * *", TimeZone = "Europe/Paris", Payload = "{\"name\":\"Ada\"}" }, cancellationToken: ct);
        var fire = await schedules.TriggerAsync("client-daily", ct);
        var paused = await schedules.PauseAsync("client-daily", "holiday", ct);
        var listed = await schedules.ListAsync(ct);
        var exists = await Assert.ThrowsAsync<WorkersException>(() => schedules.PutAsync(created.Definition, cancellationToken: ct));
        var invalid = await Assert.ThrowsAsync<WorkersException>(() => schedules.GetAsync("x", ct));

        Assert.NotNull(created.NextRunAt);
        Assert.Equal("client-daily", (await queue.GetAsync(fire.JobId!, ct))!.Headers!["schedule-id"]);
        Assert.Equal((true, "holiday"), (paused.Paused, paused.PauseNote));
        Assert.Contains(listed, s => s.Definition.Id == "client-daily");
        Assert.Equal(WorkersErrorCodes.ScheduleExists, exists.Code);
        Assert.Equal(WorkersErrorCodes.InvalidSchedule, invalid.Code);
        Assert.True(await schedules.DeleteAsync("client-daily", ct));
        Assert.Null(await schedules.GetAsync("client-daily", ct));
    }

    [Fact]
    public async Task AFlow_IsCreatedThroughTheClient_WithItsParentWaiting_AndAGroupTravelsWithAJob()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var services = fixture.Services();
        var flows = services.GetRequiredService<IJobFlows>();
        var parents = services.GetRequiredService<IJobQueueFactory>().Get<Greeting>("client-flow-parents");
        var kids = services.GetRequiredService<IJobQueueFactory>().Get<Greeting>("client-flow-kids");
        var flow = new JobFlow
        {
            Queue = "client-flow-parents",
            Job = new EnqueueRequest { Payload = "{\"name\":\"all\"}" },
            Children = [new JobFlow { Queue = "client-flow-kids", Job = new EnqueueRequest { Payload = "{\"name\":\"one\"}", Group = "tenant-1" } }],
        };

        var created = await flows.CreateAsync(flow, "client-flow-1", ct);
        var again = await flows.CreateAsync(flow, "client-flow-1", ct);
        var grouped = await kids.EnqueueAsync(new Greeting("Gus"), new JobEnqueueOptions { Group = "tenant-2" }, ct);

        Assert.Equal((true, false, created.JobId), (created.Created, again.Created, again.JobId));
        var parent = (await parents.GetAsync(created.JobId, ct))!;
        Assert.Equal((JobState.WaitingChildren, 1), (parent.State, parent.ChildrenExpected));   // no worker runs its child here
        var child = (await kids.GetAsync(created.Children[0].JobId, ct))!;
        Assert.Equal(("tenant-1", created.JobId), (child.Group, child.Parent!.JobId));
        Assert.Equal("tenant-2", (await kids.GetAsync(grouped.JobId, ct))!.Group);
        Assert.Equal(CancelResult.Cancelled, await parents.CancelAsync(created.JobId, ct));
    }

    [Fact]
    public async Task EnqueueMany_StoresEveryJobInOneCall_AndRunAt_DelaysAJobToItsMoment()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var services = fixture.Services();
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<Greeting>("client-many");

        var many = await queue.EnqueueManyAsync([new Greeting("Ada"), new Greeting("Bob"), new Greeting("Cy")], new JobEnqueueOptions { Priority = JobPriority.High }, ct);
        var later = DateTimeOffset.UtcNow.AddHours(2);
        var timed = await queue.EnqueueAsync(new Greeting("Dee"), new JobEnqueueOptions { RunAt = later }, ct);
        var keyed = await Assert.ThrowsAsync<ArgumentException>(() => queue.EnqueueManyAsync([new Greeting("Eve")], new JobEnqueueOptions { IdempotencyKey = "one" }, ct));
        var both = await Assert.ThrowsAsync<WorkersException>(() => queue.EnqueueAsync(new Greeting("Fay"), new JobEnqueueOptions { RunAt = later, Delay = TimeSpan.FromMinutes(1) }, ct));

        Assert.Equal(3, many.Select(r => r.JobId).Distinct().Count());
        Assert.All(many, r => Assert.True(r.Created));
        Assert.Equal(["Ada", "Bob", "Cy"], await Task.WhenAll(many.Select(async r => System.Text.Json.JsonDocument.Parse((await queue.GetAsync(r.JobId, ct))!.Payload).RootElement.GetProperty("name").GetString()!)));
        var delayed = (await queue.GetAsync(timed.JobId, ct))!;
        Assert.Equal((JobState.Delayed, later), (delayed.State, delayed.RunAt!.Value));
        Assert.Equal("options", keyed.ParamName);
        Assert.Equal(WorkersErrorCodes.InvalidDelay, both.Code);
        Assert.Empty(await queue.EnqueueManyAsync([], cancellationToken: ct));
    }

    [Fact]
    public async Task AddJobQueue_MakesATypedQueueInjectable()
    {
        var services = new ServiceCollection().AddSingleton(fixture.Cluster.Client);
        services.AddZinTrustWorkersClientServices().AddJobQueue<Greeting>("client-injected");
        await using var provider = services.BuildServiceProvider();

        Assert.Equal("client-injected", provider.GetRequiredService<IJobQueue<Greeting>>().Name);
        Assert.Throws<WorkersException>(() => new ServiceCollection().AddJobQueue<Greeting>("x"));
    }

    [Fact]
    public async Task Enqueue_CarriesTheHeadersGiven_InTheJobsEnvelope()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var services = fixture.Services();
        var queue = services.GetRequiredService<IJobQueueFactory>().Get<Greeting>("client-envelope");
        var headers = new Dictionary<string, string> { ["tenant"] = "acme", ["request-id"] = "r-42" };

        var ack = await queue.EnqueueAsync(new Greeting("Ada"), new JobEnqueueOptions { Headers = headers }, ct);

        Assert.Equal(headers, (await queue.GetAsync(ack.JobId, ct))!.Headers);
    }

    [Fact]
    public async Task WorkerManager_CoversRegisterUpdateStatusRestartAndDelete()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var services = fixture.Services();
        var workers = services.GetRequiredService<IWorkerManager>();
        var definition = new WorkerDefinition { Name = "wm-life", QueueName = "q-wm-life", Processor = "greeter", Concurrency = 2 };

        var registered = await workers.RegisterAsync(definition, ct);
        var registeredAgain = await workers.RegisterAsync(definition with { Concurrency = 9 }, ct);
        var updated = await workers.UpdateAsync("wm-life", new WorkerUpdate { Concurrency = 4 }, ct);
        await workers.StartAsync("wm-life", ct);
        var restarted = await workers.RestartAsync("wm-life", ct);
        var status = await workers.GetStatusAsync("wm-life", ct);
        await workers.DeleteAsync("wm-life", ct);

        Assert.Equal(2, registered.Definition.Concurrency);
        Assert.Equal(2, registeredAgain.Definition.Concurrency);
        Assert.Equal(4, updated.Definition.Concurrency);
        Assert.Equal(WorkerStatus.Running, restarted.Status);
        Assert.Equal("wm-life", status.Worker.Definition.Name);
        Assert.Equal(WorkerStatus.Running, status.Worker.Status);
        Assert.Equal("q-wm-life", status.Queue?.Queue);
        Assert.Null(await workers.GetAsync("wm-life", ct));
        Assert.DoesNotContain(await workers.ListAsync(includeInactive: true, ct), w => w.Name == "wm-life");
        var missing = await Assert.ThrowsAsync<WorkersException>(() => workers.DeleteAsync("wm-life", ct));
        Assert.Equal(WorkersErrorCodes.WorkerNotFound, missing.Code);
    }
}
