using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Cluster-wide circuits under a fake clock: open → half-open → closed, and jobs wait rather than fail.</summary>
public sealed class CircuitBreakerTests
{
    private static readonly CircuitBreakerOptions Quick = new()
    {
        FailureThreshold = 3,
        FailureWindow = TimeSpan.FromMinutes(1),
        ResetTimeout = TimeSpan.FromSeconds(30),
        HalfOpenAttempts = 2,
    };

    private static async Task<IWorkerGrain> StartGuarded(WorkersCluster c, string name, string queue, int replicas = 1)
    {
        var worker = c.Worker(name);
        await worker.Create(new WorkerDefinition
        {
            Name = name,
            QueueName = queue,
            Processor = "test",
            Concurrency = 4,
            Replicas = replicas,
            Features = new Dictionary<string, bool> { ["circuitBreaker"] = true },
            CircuitBreaker = Quick,
        });
        await worker.Start();
        return worker;
    }

    private static Task<WorkerStatusReport> ReplicasAt(IWorkerGrain worker, Func<IReadOnlyList<ReplicaStatus>, bool> done, string what) =>
        Eventually.Get(worker.GetStatus, r => r.Replicas.Count > 0 && done(r.Replicas), what);

    [Fact]
    public async Task Failures_OpenTheCircuit_JobsWaitWithoutUsingAttempts_ThenTrialsCloseIt()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 2, fakeClock: true);
        var worker = await StartGuarded(c, "cb-worker", "q-cb", replicas: 2);
        var failing = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            failing.Add((await c.Enqueue("q-cb", new TestJob { FailTimes = 1 }, attempts: 1)).JobId);
        }

        foreach (var id in failing)
        {
            await c.WaitForState("q-cb", id, JobState.Failed);
        }

        var open = await Eventually.Get(worker.GetCircuit, s => s.State == CircuitState.Open, "the circuit opened after 3 failures");
        Assert.Equal(c.Clock!.GetUtcNow() + Quick.ResetTimeout, open.RetryAt);
        await ReplicasAt(worker, rs => rs.All(r => r.Concurrency == 0), "every replica stopped leasing");

        var waiting = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            waiting.Add((await c.Enqueue("q-cb", new TestJob(), attempts: 1)).JobId);
        }

        foreach (var id in waiting)
        {
            var job = (await c.Queue("q-cb").GetJob(id))!;
            Assert.Equal((JobState.Waiting, 0), (job.State, job.Attempt));
        }

        c.Clock.Advance(Quick.ResetTimeout);
        await Eventually.Get(worker.GetCircuit, s => s.State != CircuitState.Open, "the circuit left open after the reset timeout");
        foreach (var id in waiting)
        {
            var done = await c.WaitForState("q-cb", id, JobState.Completed);
            Assert.Equal(1, done.Attempt);   // the first and only attempt: waiting used none
        }

        var closed = await Eventually.Get(worker.GetCircuit, s => s.State == CircuitState.Closed, "the trials closed the circuit");
        Assert.Equal(
            [(CircuitState.Closed, CircuitState.Open), (CircuitState.Open, CircuitState.HalfOpen), (CircuitState.HalfOpen, CircuitState.Closed)],
            closed.Transitions.Select(t => (t.From, t.To)));
        await ReplicasAt(worker, rs => rs.All(r => r.Concurrency == 4), "full concurrency again");
    }

    [Fact]
    public async Task AFailedTrial_ReopensTheCircuit_ForAnotherResetTimeout()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var worker = await StartGuarded(c, "cb-reopen", "q-cb-reopen");
        for (int i = 0; i < 3; i++)
        {
            await c.Enqueue("q-cb-reopen", new TestJob { FailTimes = 1 }, attempts: 1);
        }

        await Eventually.Get(worker.GetCircuit, s => s.State == CircuitState.Open, "open");

        // The replica learns of the open circuit one call later: until it stops leasing, the trial could run (and fail)
        // while the circuit is still open, where a failure counts for nothing.
        await ReplicasAt(worker, rs => rs.All(r => r.Concurrency == 0), "the replica stopped leasing");
        var trial = await c.Enqueue("q-cb-reopen", new TestJob { FailTimes = 1 }, attempts: 2);
        c.Clock!.Advance(Quick.ResetTimeout);

        var reopened = await Eventually.Get(worker.GetCircuit, s => s.Transitions.Count >= 3 && s.State == CircuitState.Open, "a failed trial re-opened it");
        Assert.Equal((CircuitState.HalfOpen, CircuitState.Open), (reopened.Transitions[^1].From, reopened.Transitions[^1].To));
        Assert.Equal(c.Clock.GetUtcNow() + Quick.ResetTimeout, reopened.RetryAt);
        var job = await c.WaitForState("q-cb-reopen", trial.JobId, s => s is JobState.Waiting or JobState.Delayed, "the trial's job waits for its second attempt");
        Assert.Equal(1, job.Attempt);
    }

    [Fact]
    public async Task Operators_CanTripAndReset_AndAWorkerWithoutTheFeatureSaysSo()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true);
        var worker = await StartGuarded(c, "cb-manual", "q-cb-manual");

        Assert.Equal(CircuitState.Open, (await worker.SetCircuit(open: true)).State);
        await ReplicasAt(worker, rs => rs.All(r => r.Concurrency == 0), "tripped: no leasing");
        Assert.Equal(CircuitState.Closed, (await worker.SetCircuit(open: false)).State);
        await ReplicasAt(worker, rs => rs.All(r => r.Concurrency == 4), "reset: leasing again");

        var plain = await c.StartWorker("cb-none", "q-cb-none");
        Assert.Equal(CircuitState.Closed, (await plain.GetCircuit()).State);
        var error = await Assert.ThrowsAsync<WorkersException>(() => plain.SetCircuit(open: true));
        Assert.Equal(WorkersErrorCodes.CircuitBreakerDisabled, error.Code);
    }

    [Fact]
    public async Task AnOpenDependencyCircuit_DefersJobs_AndATrialClosesIt()
    {
        var flaky = new Flaky();
        await using var c = await WorkersCluster.StartAsync(silos: 1, fakeClock: true, workers: w => w
            .AddProcessor("calls-flaky", ctx => ctx.CallDependencyAsync<object?>("flaky", _ => flaky.Fail ? throw new InvalidOperationException("flaky is down") : Task.FromResult<object?>("ok")))
            .ConfigureCircuitBreaker("flaky", o => o with { FailureThreshold = 2, ResetTimeout = TimeSpan.FromSeconds(10), HalfOpenAttempts = 1 }));
        var worker = c.Worker("dep-user");
        await worker.Create(new WorkerDefinition { Name = "dep-user", QueueName = "q-dep", Processor = "calls-flaky", Concurrency = 1 });
        await worker.Start();
        var circuit = c.Client.GetGrain<ICircuitBreakerGrain>(CircuitNames.Dependency("flaky"));

        var immediately = new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.Zero };
        var ack = await c.Queue("q-dep").Enqueue(new EnqueueRequest { Payload = "{}", Attempts = 10, Backoff = immediately });
        var deferred = await Eventually.Get(
            async () => (await c.Queue("q-dep").GetJob(ack.JobId))!,
            j => j.State == JobState.Delayed,
            "deferred by the open circuit");
        Assert.Equal(2, deferred.Attempt);                      // two real failures; the deferral used none
        Assert.Equal(CircuitState.Open, (await circuit.Get()).State);

        flaky.Fail = false;
        c.Clock!.Advance(TimeSpan.FromSeconds(10));
        var done = await c.WaitForState("q-dep", ack.JobId, JobState.Completed);
        Assert.Equal(3, done.Attempt);
        await Eventually.Get(circuit.Get, s => s.State == CircuitState.Closed, "the trial closed the dependency's circuit");
    }

    private sealed class Flaky
    {
        public volatile bool Fail = true;
    }
}
