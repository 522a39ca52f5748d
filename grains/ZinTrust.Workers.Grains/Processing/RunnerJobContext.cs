using System.Collections.ObjectModel;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

internal sealed class RunnerJobContext(RunningJob running, string workerName, string? workerVersion, IQueueGrain queue, IGrainFactory grains) : JobContext
{
    public override string JobId => running.Job.JobId;

    public override string Queue => running.Job.Queue;

    public override string WorkerName => workerName;

    public override string? JobName => running.Job.Name;

    public override string? WorkerVersion => workerVersion;

    public override string? Group => running.Job.Group;

    public override IReadOnlyList<ChildOutcome> Children => running.Job.Children ?? [];

    public override long FencingToken => running.Job.LeaseToken;

    public override int Attempt => running.Job.Attempt;

    public override int MaxAttempts => running.Job.MaxAttempts;

    public override string Payload => running.Job.Payload;

    public override IReadOnlyDictionary<string, string> Headers => running.Job.Headers ?? ReadOnlyDictionary<string, string>.Empty;

    public override CancellationToken CancellationToken => running.Token;

    public override JobCancellationReason? CancellationReason => running.Reason;

    public override async Task ReportProgressAsync(int percent)
    {
        await FlushLogsAsync().ConfigureAwait(false);
        await queue.ReportProgress(running.Lease, Math.Clamp(percent, 0, 100)).ConfigureAwait(false);
    }

    public override void Log(string message) =>
        running.Log(JobLogLine.Create(DateTimeOffset.UtcNow, running.Job.Attempt, message ?? string.Empty));

    public override Task<bool> FlushLogsAsync() =>
        running.TakeLogs() is { } logs ? queue.AppendLogs(running.Lease, logs) : Task.FromResult(true);

    public override async Task<T> CallDependencyAsync<T>(string dependency, Func<CancellationToken, Task<T>> call)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dependency);
        ArgumentNullException.ThrowIfNull(call);
        var circuit = grains.GetGrain<ICircuitBreakerGrain>(CircuitNames.Dependency(dependency));
        var permit = await circuit.TryAcquire().ConfigureAwait(false);
        if (!permit.Allowed)
        {
            throw new CircuitOpenException(dependency, permit.RetryAfter);
        }

        T result;
        try
        {
            result = await call(CancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!CancellationToken.IsCancellationRequested)
        {
            circuit.Record(0, 1).Ignore();
            throw;
        }

        circuit.Record(1, 0).Ignore();
        return result;
    }
}
