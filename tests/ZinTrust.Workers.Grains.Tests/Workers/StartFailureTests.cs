using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>A worker whose replicas cannot start says why in words of its own: an exception's text (which may hold connection
/// strings or hosts) stays in the log.</summary>
public sealed class StartFailureTests
{
    private const string Canary = "Password=hunter2-canary";

    [Fact]
    public async Task AStartThatThrows_FailsWithAStableCode_AndNeverShowsTheExceptionsText()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, workers: w => w.AddProcessorResolver(new ExplodingResolver()));
        await c.Worker("start-explodes").Create(new WorkerDefinition { Name = "start-explodes", QueueName = "q-start-explodes", Processor = "exploding" });

        var error = await Assert.ThrowsAsync<WorkersException>(() => c.Worker("start-explodes").Start());
        var info = await c.Worker("start-explodes").Get();

        Assert.Equal(WorkersErrorCodes.WorkerStartFailed, error.Code);
        Assert.DoesNotContain(Canary, error.Message, StringComparison.Ordinal);
        Assert.Equal(WorkerStatus.Failed, info!.Status);
        Assert.DoesNotContain(Canary, info.LastError, StringComparison.Ordinal);
        Assert.Contains("start-explodes", info.LastError, StringComparison.Ordinal);
        Assert.Equal((WorkersErrorCodes.WorkerStartFailed, info.LastError), (info.Failure!.Code, info.Failure.Reason));   // why it is failed
    }

    private sealed class ExplodingResolver : IProcessorResolver
    {
        public IJobProcessor? Resolve(string processorName, IServiceProvider services) =>
            processorName == "exploding" ? throw new InvalidOperationException($"Server=db.internal;{Canary}") : null;
    }
}
