using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Hands the events of every queue on this silo to the registered <see cref="IJobEventSink"/>s. Each sink has a bounded
/// queue of batches and a loop of its own, so <see cref="Publish"/> never waits: a sink that falls more than
/// <see cref="Backlog"/> batches behind loses the next ones (counted in <see cref="Dropped"/> and logged), and an exception
/// from a sink is logged and forgotten.
/// </summary>
internal sealed partial class JobEventDispatcher : IAsyncDisposable
{
    public const int Backlog = 4096;

    private readonly Lane[] lanes;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();

    public JobEventDispatcher(IEnumerable<IJobEventSink> sinks, ILogger<JobEventDispatcher> logger)
    {
        this.logger = logger;
        lanes = [.. sinks.Select(sink => new Lane(sink))];
        foreach (var lane in lanes)
        {
            lane.Loop = Task.Run(() => RunAsync(lane));
        }
    }

    /// <summary>Batches dropped because a sink was too far behind, over all sinks.</summary>
    public long Dropped => lanes.Sum(l => Interlocked.Read(ref l.Dropped));

    public bool HasSinks => lanes.Length > 0;

    public void Publish(IReadOnlyList<JobEvent> events)
    {
        foreach (var lane in lanes)
        {
            if (!lane.Batches.Writer.TryWrite(events) && Interlocked.Increment(ref lane.Dropped) is var dropped && (dropped & (dropped - 1)) == 0)
            {
                // Logged at 1, 2, 4, 8, ... drops: a stuck sink does not flood the log.
                LogSinkBehind(logger, lane.Sink.GetType().Name, dropped);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in lanes)
        {
            lane.Batches.Writer.TryComplete();
        }

        await stopping.CancelAsync();
        await Task.WhenAny(Task.WhenAll(lanes.Select(l => l.Loop)), Task.Delay(TimeSpan.FromSeconds(5)));
        stopping.Dispose();
    }

    private async Task RunAsync(Lane lane)
    {
        try
        {
            await foreach (var batch in lane.Batches.Reader.ReadAllAsync(stopping.Token))
            {
                try
                {
                    await lane.Sink.OnEventsAsync(batch, stopping.Token);
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    LogSinkFailed(logger, lane.Sink.GetType().Name, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(1100, LogLevel.Warning, "Job event sink {Sink} threw; its batch is skipped")]
    private static partial void LogSinkFailed(ILogger logger, string sink, Exception exception);

    [LoggerMessage(1101, LogLevel.Warning, "Job event sink {Sink} is behind: {Dropped} batches of events dropped so far")]
    private static partial void LogSinkBehind(ILogger logger, string sink, long dropped);

    private sealed class Lane(IJobEventSink sink)
    {
        public IJobEventSink Sink { get; } = sink;

        public Channel<IReadOnlyList<JobEvent>> Batches { get; } = Channel.CreateBounded<IReadOnlyList<JobEvent>>(
            new BoundedChannelOptions(Backlog) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        public Task Loop { get; set; } = Task.CompletedTask;

#pragma warning disable SA1401, CA1051 // Interlocked needs the field itself
        public long Dropped;
#pragma warning restore SA1401, CA1051
    }
}
