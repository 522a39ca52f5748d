using System.Net;
using System.Net.Sockets;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// Failure detection: a worker's declared health check that fails its threshold's times in a row (2 by default) marks the worker
/// failed, with the reason and the time, and stops its replicas; one failure is not enough and a pass starts the count again; an
/// operator's restart clears it; the failed status outlives the silo hosting the worker. HTTP and TCP checks run against
/// endpoints on 127.0.0.1, driven one run at a time (<see cref="IWorkerHealthChecks.CheckNow"/>) or by the fake clock.
/// </summary>
public sealed class FailureDetectionTests
{
    private static WorkerDefinition Http(string name, string url, int threshold = HealthCheckSpec.DefaultFailureThreshold, int replicas = 1) => new()
    {
        Name = name,
        QueueName = "q-" + name,
        Processor = "test",
        Replicas = replicas,
        HealthCheck = new HealthCheckSpec { Kind = HealthCheckKind.Http, Url = url, Timeout = TimeSpan.FromSeconds(5), FailureThreshold = threshold },
    };

    private static IWorkerHealthChecks Checks(WorkersCluster c, string worker) => c.Client.GetGrain<IWorkerHealthChecks>(worker);

    [Fact]
    public async Task AnHttpCheckThatFailsTwice_MarksTheWorkerFailed_WithTheReasonAndTime_AndStopsItsReplicas()
    {
        await using var endpoint = new TestHttpEndpoint(status: 503);
        var journal = new HookJournal();
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true, workers: w => w.AddPlugin(new RecordingPlugin("watcher", journal)));
        var worker = c.Worker("hc-http");
        await worker.Create(Http("hc-http", endpoint.Url(), replicas: 2));
        await worker.Start();

        var first = await Checks(c, "hc-http").CheckNow();
        Assert.Equal((false, 1, "hc-http"), (first!.Healthy, first.ConsecutiveFailures, first.Source));
        Assert.StartsWith("HTTP 503 from " + endpoint.Url(), first.Message, StringComparison.Ordinal);
        Assert.Equal(WorkerStatus.Running, (await worker.Get())!.Status);   // one failure is not enough

        var second = await Checks(c, "hc-http").CheckNow();
        Assert.Equal(2, second!.ConsecutiveFailures);
        var failed = await Eventually.Get(worker.Get, w => w!.Status == WorkerStatus.Failed, "the worker is failed after two failed checks");

        var failure = failed!.Failure!;
        Assert.Equal(WorkersErrorCodes.HealthCheckFailed, failure.Code);
        Assert.Equal(c.Clock!.GetUtcNow(), failure.At);
        Assert.Equal($"HTTP check {endpoint.Url()} failed 2 times in a row: HTTP 503 from {endpoint.Url()} (expected 2xx)", failure.Reason);
        Assert.Equal(failure.Reason, failed.LastError);
        await worker.Supervise();   // after the failure's turn: the replicas are stopped
        foreach (var replica in new[] { 0, 1 })
        {
            var status = await c.Client.GetGrain<IWorkerReplicaGrain>(new ReplicaKey("hc-http", replica).ToString()).GetStatus();
            Assert.Equal(ReplicaState.Stopped, status.State);
        }

        Assert.Empty((await worker.GetStatus()).Replicas);
        var listed = (await c.Client.GetGrain<IWorkerRegistryGrain>(0).List(includeInactive: true)).Single(e => e.Name == "hc-http");
        Assert.Equal((WorkerStatus.Failed, failure), (listed.Status, listed.Failure));
        Assert.Null(await Checks(c, "hc-http").CheckNow());   // a failed worker is not checked

        var audited = await Eventually.Get(
            async () => (await c.Client.GetGrain<IAuditLogGrain>(0).Query(new AuditQuery { Action = "workers.fail", Target = "hc-http" })).Records,
            r => r.Count == 1,
            "the failure recorded in the audit log");
        Assert.Equal((SystemDecisions.Actor, failure.Reason), (audited[0].Actor, audited[0].Details!["reason"]));

        // Plugins saw both outcomes (from the worker itself, not a replica), then the stop.
        var seen = await Eventually.Get(() => Task.FromResult(journal.About("hc-http", "watcher")), calls => calls.Any(x => x.Hook == "workerStop"), "the plugin told of the stop");
        var outcomes = seen.Where(x => x.Hook == "healthCheck").Select(x => (PluginHealthCheckContext)x.Context!).ToArray();
        Assert.Equal(2, outcomes.Length);
        Assert.All(outcomes, o => Assert.Equal((false, "hc-http"), (o.Outcome.Healthy, o.ReplicaId)));
    }

    [Fact]
    public async Task OneFailureIsNotEnough_APassStartsTheCountAgain_AndTheThresholdIsTheDefinitions()
    {
        await using var endpoint = new TestHttpEndpoint(status: 500);
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var worker = c.Worker("hc-streak");
        await worker.Create(Http("hc-streak", endpoint.Url(), threshold: 3));
        await worker.Start();
        var checks = Checks(c, "hc-streak");

        var counts = new List<int>();
        foreach (var status in new[] { 500, 500, 200, 500, 500 })
        {
            endpoint.Status = status;
            counts.Add((await checks.CheckNow())!.ConsecutiveFailures);
        }

        // Never three failures in a row: the worker runs on (the count decides in the same turn, so nothing is pending).
        Assert.Equal([1, 2, 0, 1, 2], counts);
        Assert.Equal(WorkerStatus.Running, (await worker.Get())!.Status);
        Assert.Null((await worker.Get())!.Failure);

        Assert.Equal(3, (await checks.CheckNow())!.ConsecutiveFailures);
        await Eventually.True(async () => (await worker.Get())!.Status == WorkerStatus.Failed, "failed on the third failure in a row");
    }

    [Fact]
    public async Task ACheckThatTimesOut_CountsAsFailed_AndAnOperatorsRestartClearsTheFailure()
    {
        await using var endpoint = new TestHttpEndpoint { Hang = true };
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var worker = c.Worker("hc-hang");
        await worker.Create(Http("hc-hang", endpoint.Url(), threshold: 1) with
        {
            HealthCheck = new HealthCheckSpec { Kind = HealthCheckKind.Http, Url = endpoint.Url(), Timeout = TimeSpan.FromMilliseconds(300), FailureThreshold = 1 },
        });
        long generation = (await worker.Start()).Generation;

        var hung = await Checks(c, "hc-hang").CheckNow();
        Assert.Equal((false, "no answer within 300 ms"), (hung!.Healthy, hung.Message));
        var failed = await Eventually.Get(worker.Get, w => w!.Status == WorkerStatus.Failed, "failed on a check that timed out");
        Assert.Equal($"HTTP check {endpoint.Url()} failed: no answer within 300 ms", failed!.Failure!.Reason);

        endpoint.Hang = false;
        var restarted = await worker.Restart();
        Assert.Equal((WorkerStatus.Running, generation + 1), (restarted.Status, restarted.Generation));
        Assert.Null(restarted.Failure);
        Assert.Null(restarted.LastError);
        Assert.True((await Checks(c, "hc-hang").CheckNow())!.Healthy);
        Assert.Null((await c.Client.GetGrain<IWorkerRegistryGrain>(0).List(true)).Single(e => e.Name == "hc-hang").Failure);
    }

    [Fact]
    public async Task ATcpCheck_PassesAgainstAListeningPort_AndFailsAgainstAClosedOne()
    {
        var listening = new TcpListener(IPAddress.Loopback, 0);
        listening.Start();
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        int closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        try
        {
            await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
            foreach (var (name, port) in new[] { ("hc-tcp-up", ((IPEndPoint)listening.LocalEndpoint).Port), ("hc-tcp-down", closedPort) })
            {
                await c.Worker(name).Create(new WorkerDefinition
                {
                    Name = name,
                    QueueName = "q-" + name,
                    Processor = "test",
                    HealthCheck = new HealthCheckSpec { Kind = HealthCheckKind.Tcp, Host = "127.0.0.1", Port = port, Timeout = TimeSpan.FromSeconds(2), FailureThreshold = 1 },
                });
                await c.Worker(name).Start();
            }

            var up = await Checks(c, "hc-tcp-up").CheckNow();
            var down = await Checks(c, "hc-tcp-down").CheckNow();

            Assert.Equal((true, $"connected to 127.0.0.1:{((IPEndPoint)listening.LocalEndpoint).Port}"), (up!.Healthy, up.Message));
            Assert.Equal((false, "could not connect (ConnectionRefused)"), (down!.Healthy, down.Message));
            await Eventually.True(async () => (await c.Worker("hc-tcp-down").Get())!.Status == WorkerStatus.Failed, "the worker whose port is closed failed");
            Assert.Equal(WorkerStatus.Running, (await c.Worker("hc-tcp-up").Get())!.Status);
        }
        finally
        {
            listening.Stop();
        }
    }

    [Fact]
    public async Task AnHttpCheck_FollowsRedirectsOnTheSameHostOnly_AndNeverConnectsToTheMetadataAddress()
    {
        await using var endpoint = new TestHttpEndpoint(status: 302) { Location = "/health/next" };
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        async Task<WorkerHealth> Run(string name, string url, HealthCheckKind kind = HealthCheckKind.Http)
        {
            await c.Worker(name).Create(new WorkerDefinition
            {
                Name = name,
                QueueName = "q-" + name,
                Processor = "test",
                HealthCheck = kind == HealthCheckKind.Http
                    ? new HealthCheckSpec { Kind = kind, Url = url, FailureThreshold = 100 }
                    : new HealthCheckSpec { Kind = kind, Host = url, Port = 80, FailureThreshold = 100 },
            });
            await c.Worker(name).Start();
            return (await Checks(c, name).CheckNow())!;
        }

        var loop = await Run("hc-redirect-loop", endpoint.Url());
        Assert.Equal((false, $"more than 3 redirects from {endpoint.Url()}"), (loop.Healthy, loop.Message));
        Assert.Equal(4, endpoint.Requests);   // the first request and three redirects on the same host

        endpoint.Location = $"http://localhost:{endpoint.Port}/elsewhere";
        var away = await Run("hc-redirect-away", endpoint.Url());
        Assert.Equal((false, $"HTTP 302 redirects to another host (http://localhost:{endpoint.Port}/elsewhere); health checks follow redirects on the same host only"), (away.Healthy, away.Message));
        Assert.Equal(5, endpoint.Requests);

        endpoint.Status = 200;
        endpoint.Location = null;
        Assert.True((await Run("hc-redirect-none", endpoint.Url("/health?token=secret"))).Healthy);

        // The cloud metadata service is link-local: refused before any connection is tried (there is no network here anyway).
        var metadata = await Run("hc-metadata", "http://169.254.169.254/latest/meta-data/");
        Assert.Equal(
            (false, "host '169.254.169.254' resolves to 169.254.169.254, a link-local address (169.254.0.0/16, the cloud metadata service's range); health checks do not connect there"),
            (metadata.Healthy, metadata.Message));
        var tcp = await Run("hc-metadata-tcp", "fe80::1", HealthCheckKind.Tcp);
        Assert.StartsWith("host 'fe80::1' resolves to fe80::1, a link-local address (fe80::/10)", tcp.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheWorkersOwnCheck_RunsEveryInterval_OnTheWorkersClock()
    {
        await using var endpoint = new TestHttpEndpoint(status: 204);
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var worker = c.Worker("hc-timer");
        await worker.Create(Http("hc-timer", endpoint.Url()) with
        {
            HealthCheck = new HealthCheckSpec { Kind = HealthCheckKind.Http, Url = endpoint.Url(), Interval = TimeSpan.FromSeconds(30) },
        });
        await worker.Start();
        Assert.Equal(0, endpoint.Requests);   // the first run is one interval after the start

        c.Clock!.Advance(TimeSpan.FromSeconds(30));
        var checkedOnce = await Eventually.Get(worker.Get, w => w!.Health.CheckedAt is not null, "the first timed check");
        Assert.Equal((true, "HTTP 204", 1), (checkedOnce!.Health.Healthy, checkedOnce.Health.Message, endpoint.Requests));

        endpoint.Status = 500;
        c.Clock.Advance(TimeSpan.FromSeconds(30));
        await Eventually.True(async () => (await worker.Get())!.Health.Healthy == false, "the second timed check saw the failure");
        c.Clock.Advance(TimeSpan.FromSeconds(30));
        await Eventually.True(async () => (await worker.Get())!.Status == WorkerStatus.Failed, "failed after two timed failures");
        Assert.Equal(3, endpoint.Requests);
    }

    [Fact]
    public async Task ACheckRegisteredByName_IsTheOriginalsString_RunsOnTheReplicas_AndFailsTheWorker()
    {
        var healthy = new Switch { On = true };
        await using var c = await WorkersCluster.StartAsync(silos: 1, workers: w => w.AddHealthCheck("EmailHealthCheck", _ =>
            Task.FromResult(new HealthCheckOutcome(healthy.On, healthy.On ? "smtp answers" : "smtp refused the connection"))));

        var unknown = await Assert.ThrowsAsync<WorkersException>(() => c.Worker("hc-unknown").Create(new WorkerDefinition
        {
            Name = "hc-unknown", QueueName = "q-hc-unknown", Processor = "test", HealthCheck = HealthCheckSpec.Registered("NoSuchCheck"),
        }));
        Assert.Equal(WorkersErrorCodes.HealthCheckNotFound, unknown.Code);
        Assert.Null(await c.Worker("hc-unknown").Get());

        var worker = c.Worker("email-sender");
        await worker.Create(new WorkerDefinition { Name = "email-sender", QueueName = "q-emails", Processor = "test", HealthCheck = HealthCheckSpec.Registered("EmailHealthCheck") });
        await worker.Start();
        var passing = await Eventually.Get(worker.Get, w => w!.Health.Healthy == true, "the replica ran the named check");
        Assert.Equal(("smtp answers", "email-sender/0"), (passing!.Health.Message, passing.Health.Source));

        healthy.On = false;
        var failed = await Eventually.Get(worker.Get, w => w!.Status == WorkerStatus.Failed, "failed after the replica's check failed twice");
        Assert.Equal(
            "Health check 'EmailHealthCheck' failed 2 times in a row on replica email-sender/0: smtp refused the connection",
            failed!.Failure!.Reason);
        Assert.Null(await Checks(c, "email-sender").CheckNow());   // a registered check is the replicas', never the worker's own
    }

    [Fact]
    public async Task AFailedWorker_StaysFailedWithItsReason_WhenTheSiloHostingItDies()
    {
        await using var endpoint = new TestHttpEndpoint(status: 500);
        await using var c = await WorkersCluster.StartAsync(silos: 2, fakeClock: true);
        var worker = c.Worker("hc-survive");
        await worker.Create(Http("hc-survive", endpoint.Url(), threshold: 1, replicas: 2));
        await worker.Start();
        await Checks(c, "hc-survive").CheckNow();
        var failed = await Eventually.Get(worker.Get, w => w!.Status == WorkerStatus.Failed, "failed");
        await worker.Supervise();   // the failure's turn (which stops the replicas) is over

        var host = await c.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(worker, TestContext.Current.CancellationToken);
        await c.Cluster.KillSiloAsync(c.Cluster.Silos.Single(s => s.SiloAddress.Equals(host)), TestContext.Current.CancellationToken);

        var after = await Eventually.Get(
            async () => { try { return await worker.Get(); } catch (Exception ex) when (ex is OrleansException or TimeoutException) { return null; } },
            w => w is not null,
            "the worker grain answers from the surviving silo",
            TimeSpan.FromSeconds(60));
        Assert.Equal((WorkerStatus.Failed, failed!.Failure), (after!.Status, after.Failure));
        Assert.Equal(failed.LastError, after.LastError);
        Assert.NotEqual(host, await c.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(worker, TestContext.Current.CancellationToken));
        Assert.Empty((await worker.GetStatus()).Replicas);
        Assert.Null(await Checks(c, "hc-survive").CheckNow());
    }

    [Fact]
    public async Task AutoStart_PassesOverAWorkerFailedByItsHealthCheck_WhenASiloStarts()
    {
        await using var endpoint = new TestHttpEndpoint(status: 500);
        var store = new RecordingJobStore();
        var state = new InProcessStateStore();
        var reminders = new InProcessReminderTable();
        static void AutoStart(WorkersOptions o) => o.AutoStart = true;
        WorkerFailure failure;
        await using (var first = await WorkersCluster.StartAsync(silos: 1, fakeClock: true, configure: AutoStart, store: store, state: state, reminders: reminders))
        {
            await first.Worker("as-failed").Create(Http("as-failed", endpoint.Url(), threshold: 1) with { AutoStart = true });   // auto-started
            await Checks(first, "as-failed").CheckNow();
            failure = (await Eventually.Get(first.Worker("as-failed").Get, w => w!.Status == WorkerStatus.Failed, "failed"))!.Failure!;
            await first.Worker("zz-control").Create(new WorkerDefinition { Name = "zz-control", QueueName = "q-zz-control", Processor = "test", AutoStart = true });
            await first.Worker("zz-control").Stop();
        }

        await using var second = await WorkersCluster.StartAsync(silos: 1, fakeClock: true, configure: AutoStart, store: store, state: state, reminders: reminders);

        // Auto-start goes through the workers by name: once it started the control, it has passed the failed one.
        await Eventually.True(async () => (await second.Worker("zz-control").Get())!.Status == WorkerStatus.Running, "auto-start started the stopped candidate");
        var after = await second.Worker("as-failed").Get();
        Assert.Equal((WorkerStatus.Failed, failure), (after!.Status, after.Failure));
    }

    [Fact]
    public async Task AHealthPolicyMayRestartAFailedWorker_WithinItsBudget_ThenItStaysFailed()
    {
        await using var endpoint = new TestHttpEndpoint(status: 500);
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var worker = c.Worker("hc-policy");
        await worker.Create(Http("hc-policy", endpoint.Url(), threshold: 1) with
        {
            HealthPolicy = new WorkerHealthPolicy { RestartWhenFailed = true, MaxRestarts = 1 },
        });
        long generation = (await worker.Start()).Generation;

        await Checks(c, "hc-policy").CheckNow();
        await worker.Supervise();   // queued behind the failure's turn, which restarts the worker within the budget
        var restarted = await worker.Get();
        Assert.Equal((WorkerStatus.Running, generation + 1), (restarted!.Status, restarted.Generation));
        await Eventually.True(
            // Each decision sends its record on its own (never holding the worker's turn), so they may land in either order.
            async () => (await c.Client.GetGrain<IAuditLogGrain>(0).Query(new AuditQuery { Target = "hc-policy" })).Records.Select(r => r.Action).Order(StringComparer.Ordinal)
                .SequenceEqual(["workers.fail", "workers.restart"]),
            "the failure and the policy's restart audited");

        await Checks(c, "hc-policy").CheckNow();
        await worker.Supervise();
        Assert.Equal((WorkerStatus.Failed, generation + 1), ((await worker.Get())!.Status, (await worker.Get())!.Generation));
    }

    [Fact]
    public async Task WithoutDeclaringACheck_OrWithHealthMonitoringOff_NothingFailsTheWorker()
    {
        await using var endpoint = new TestHttpEndpoint(status: 500);
        var healthy = new Switch { On = false };
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true, workers: w => w
            .AddHealthCheck("hc-implicit", _ => Task.FromResult(new HealthCheckOutcome(healthy.On, "down")))
            .AddHealthCheck("hc-quiet", _ => Task.FromResult(new HealthCheckOutcome(healthy.On, "down"))));

        // A check registered under the worker's name but not declared: reported (an input to the health score), never counted.
        var implicitly = c.Worker("hc-implicit");
        await implicitly.Create(new WorkerDefinition { Name = "hc-implicit", QueueName = "q-hc-implicit", Processor = "test" });
        await implicitly.Start();
        var reported = await Eventually.Get(implicitly.Get, w => w!.Health.Healthy == false, "the implicit check reported its failure");
        Assert.Equal(0, reported!.Health.ConsecutiveFailures);

        // features.healthMonitoring false: a declared check does not run at all, neither the worker's nor its replicas'.
        var quiet = c.Worker("hc-quiet");
        await quiet.Create(Http("hc-quiet", endpoint.Url(), threshold: 1) with { Features = new Dictionary<string, bool> { [WorkerFeatures.HealthMonitoring] = false } });
        await quiet.Start();
        Assert.Null(await Checks(c, "hc-quiet").CheckNow());
        c.Clock!.Advance(TimeSpan.FromMinutes(5));
        await quiet.Supervise();
        Assert.Equal((WorkerStatus.Running, 0), ((await quiet.Get())!.Status, endpoint.Requests));
        Assert.Null((await quiet.Get())!.Health.CheckedAt);
        Assert.Null(await quiet.GetHealthScore());
        Assert.Equal(WorkerStatus.Running, (await implicitly.Get())!.Status);
    }

    private sealed class Switch
    {
        public volatile bool On;
    }
}
