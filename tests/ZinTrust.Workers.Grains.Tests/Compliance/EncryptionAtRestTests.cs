using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Encryption at rest through a whole cluster: the store holds ciphertext only, everyone else sees plaintext, and a
/// key rotation re-encrypts what is stored.</summary>
public sealed class EncryptionAtRestTests
{
    private const string Canary = "canary-5d1e-personal";

    [Fact]
    public async Task EveryStoredVersionOfEveryJob_HoldsNoPlaintext_WhileProcessorsAndReadersSeeIt()
    {
        var ring = EncryptionKeyRing.Create("k1", TimeProvider.System);
        var store = new RecordingJobStore();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var c = await WorkersCluster.StartAsync(silos: 1, store: store, silo: (_, s) => s.AddZinTrustPayloadEncryption(ring), workers: w => w.AddProcessor("canary", ctx =>
        {
            seen.Enqueue(ctx.Payload);
            ctx.Log($"working for {Canary}");
            return ctx.Payload.Contains("fail", StringComparison.Ordinal)
                ? throw new InvalidOperationException($"bad input from {Canary}")
                : Task.FromResult<object?>(new { echo = Canary });
        }));
        await c.StartWorker("canary-worker", "q-canary", processor: "canary", jobOptions: new JobOptions { Attempts = 1 });
        var queue = c.Queue("q-canary");
        var done = await queue.Enqueue(new EnqueueRequest { Payload = $$"""{"who":"{{Canary}}"}""" });
        var failed = await queue.Enqueue(new EnqueueRequest { Payload = $$"""{"who":"{{Canary}}","fail":true}""" });
        await c.WaitForState("q-canary", done.JobId, JobState.Completed);
        await c.WaitForState("q-canary", failed.JobId, JobState.Failed);
        await queue.Pause();
        var waiting = await queue.Enqueue(new EnqueueRequest { Payload = $$"""{"who":"{{Canary}}"}""" });

        var completed = await queue.GetJob(done.JobId);
        Assert.Contains(Canary, completed!.Payload, StringComparison.Ordinal);
        Assert.Contains(Canary, completed.Result, StringComparison.Ordinal);
        Assert.Contains(Canary, completed.Logs![0].Message, StringComparison.Ordinal);
        Assert.Contains(Canary, (await queue.GetJob(failed.JobId))!.Error, StringComparison.Ordinal);
        Assert.All(seen, payload => Assert.Contains(Canary, payload, StringComparison.Ordinal));

        int versions = 0;
        foreach (var id in new[] { done.JobId, failed.JobId, waiting.JobId })
        {
            foreach (var stored in store.History(id))
            {
                versions++;
                Assert.StartsWith(PayloadCipher.Prefix, stored.Payload, StringComparison.Ordinal);
                Assert.DoesNotContain(Canary, stored.Payload, StringComparison.Ordinal);
                Assert.DoesNotContain(Canary, stored.Result ?? "", StringComparison.Ordinal);
                Assert.DoesNotContain(Canary, stored.Error ?? "", StringComparison.Ordinal);
                Assert.All(stored.Logs ?? [], l => Assert.DoesNotContain(Canary, l.Message, StringComparison.Ordinal));
            }
        }

        Assert.True(versions >= 7, $"expected every transition's record to be checked, saw {versions}");
    }

    [Fact]
    public async Task ARotation_ReencryptsEveryStoredJob_UnderTheNewKey_AndTheOldKeyIsThenNotNeeded()
    {
        var store = new RecordingJobStore();
        var state = new InProcessStateStore();
        var k1 = EncryptionKeyRing.Create("k1", TimeProvider.System);
        var ids = new List<string>();
        await using (var c = await WorkersCluster.StartAsync(silos: 1, store: store, state: state, silo: (_, s) => s.AddZinTrustPayloadEncryption(k1)))
        {
            await c.StartWorker("rotation-worker", "q-rotate", processor: "echo");
            var queue = c.Queue("q-rotate");
            for (int i = 0; i < 20; i++)
            {
                ids.Add((await queue.Enqueue(new EnqueueRequest { Payload = $$"""{"n":{{i}},"who":"{{Canary}}"}""" })).JobId);
            }

            foreach (var id in ids)
            {
                await c.WaitForState("q-rotate", id, JobState.Completed);
            }

            await queue.Pause();
            for (int i = 0; i < 600; i++)
            {
                ids.Add((await queue.Enqueue(new EnqueueRequest { Payload = $$"""{"n":{{i}},"who":"{{Canary}}"}""", Delay = i % 2 == 0 ? TimeSpan.FromHours(1) : null })).JobId);
            }
        }

        Assert.All(ids, id => Assert.Equal("k1", PayloadCipher.KeyIdOf(store.History(id)[^1].Payload)));
        var k2 = k1.WithNewActiveKey("k2", TimeProvider.System);
        await using (var c = await WorkersCluster.StartAsync(silos: 1, store: store, state: state, silo: (_, s) => s.AddZinTrustPayloadEncryption(k2)))
        {
            var compliance = c.Client.GetGrain<IComplianceGrain>(0);
            var started = await compliance.StartReencryption();
            Assert.Equal("k2", started.KeyId);
            var sweep = (await Eventually.Get(compliance.GetStatus, s => s.Sweep is { FinishedAt: not null }, "the re-encryption sweep to finish")).Sweep!;
            Assert.Equal(ids.Count, sweep.Records);
            Assert.Empty(sweep.FailedQueues);
        }

        Assert.All(ids, id =>
        {
            var latest = store.History(id)[^1];
            Assert.Equal("k2", PayloadCipher.KeyIdOf(latest.Payload));
            if (latest.Result is { } result)
            {
                Assert.Equal("k2", PayloadCipher.KeyIdOf(result));
            }
        });

        // The old key retired: everything still reads.
        await using var retired = await WorkersCluster.StartAsync(silos: 1, store: store, state: state, silo: (_, s) => s.AddZinTrustPayloadEncryption(k2.Without("k1")));
        var jobs = await retired.Queue("q-rotate").ListJobs(JobState.Completed, 0, 100);
        Assert.Equal(20, jobs.Count);
        Assert.All(jobs, j => Assert.Contains(Canary, j.Payload, StringComparison.Ordinal));
        Assert.Equal(300, (await retired.Queue("q-rotate").GetStats()).Waiting);
    }

    [Fact]
    public async Task ATamperedRecord_StopsItsQueueFromLoading_NamingTheJob()
    {
        var ring = EncryptionKeyRing.Create("k1", TimeProvider.System);
        var store = new RecordingJobStore();
        string victim;
        await using (var c = await WorkersCluster.StartAsync(silos: 1, store: store, silo: (_, s) => s.AddZinTrustPayloadEncryption(ring)))
        {
            await c.Queue("q-tamper").Pause();
            victim = (await c.Queue("q-tamper").Enqueue(new EnqueueRequest { Payload = "{\"a\":1}" })).JobId;
            var other = (await c.Queue("q-tamper").Enqueue(new EnqueueRequest { Payload = "{\"a\":2}" })).JobId;

            // Swap two jobs' ciphertexts in the store behind the cluster's back.
            var snapshot = await store.Memory!.LoadAsync("q-tamper", 0, TestContext.Current.CancellationToken);
            var a = snapshot.Jobs.Single(j => j.Id == victim);
            var b = snapshot.Jobs.Single(j => j.Id == other);
            await store.Memory.CommitAsync("q-tamper", snapshot.Epoch, new JobStoreBatch([a with { Payload = b.Payload }], [], null), TestContext.Current.CancellationToken);
        }

        await using var again = await WorkersCluster.StartAsync(silos: 1, store: store, silo: (_, s) => s.AddZinTrustPayloadEncryption(ring));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => again.Queue("q-tamper").GetStats());
        Assert.Contains(victim, error.ToString(), StringComparison.Ordinal);
        Assert.Contains("fails authentication", error.ToString(), StringComparison.Ordinal);
    }
}
