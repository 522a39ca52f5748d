using System.Text.Json;

namespace ZinTrust.Workers.Abstractions;

/// <summary>What a processor knows about the attempt it runs.</summary>
public abstract class JobContext
{
    /// <summary>JSON options used for payloads and results (web defaults: camelCase, case-insensitive reads).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web);

    public abstract string JobId { get; }

    public abstract string Queue { get; }

    public abstract string WorkerName { get; }

    public abstract string? JobName { get; }

    /// <summary>A flow's parent: how each of its children settled (by index: state, result or error); empty for other jobs.</summary>
    public virtual IReadOnlyList<ChildOutcome> Children => [];

    /// <summary>The result of the child at <paramref name="index"/> deserialised to <typeparamref name="T"/> (default when it has
    /// none: failed, cancelled, or no such child).</summary>
    public T? ChildResult<T>(int index) =>
        Children.FirstOrDefault(c => c.Index == index)?.Result is { } json ? JsonSerializer.Deserialize<T>(json, JsonOptions) : default;

    /// <summary>The job's group (a tenant, an account: <see cref="EnqueueRequest.Group"/>); null when it has none.</summary>
    public virtual string? Group => null;

    /// <summary>The worker version running this attempt (null when the host does not say).</summary>
    public virtual string? WorkerVersion => null;

    /// <summary>
    /// The fencing token of this attempt's lease: greater than the token of every earlier attempt of the job. A processor that
    /// writes to a store of its own can pass it along and have the store refuse writes carrying a lower token, so an attempt
    /// that lost its lease (a paused process, a partition) can never overwrite the work of the attempt that replaced it.
    /// </summary>
    public abstract long FencingToken { get; }

    /// <summary>1 for the first attempt.</summary>
    public abstract int Attempt { get; }

    public abstract int MaxAttempts { get; }

    /// <summary>The payload as JSON text.</summary>
    public abstract string Payload { get; }

    /// <summary>The job's envelope: the headers it was enqueued with (trace context among them); empty when it has none.</summary>
    public abstract IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Fires on timeout, cancel, or shutdown; <see cref="CancellationReason"/> says which.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Why the token fired, once it has.</summary>
    public abstract JobCancellationReason? CancellationReason { get; }

    /// <summary>Records progress 0..100 (visible in the job's status); also sends the lines logged so far.</summary>
    public abstract Task ReportProgressAsync(int percent);

    /// <summary>
    /// Appends a line to the job's log, which is stored with the job (every attempt's lines, the last
    /// <see cref="JobLogLine.MaxLines"/> of at most <see cref="JobLogLine.MaxLength"/> characters each) and shown by
    /// <c>GET /api/queues/{queue}/jobs/{id}/logs</c> and the console. Lines are kept by the replica and sent with the attempt's
    /// outcome, with <see cref="ReportProgressAsync"/> and with <see cref="FlushLogsAsync"/>; the unsent lines of an attempt
    /// whose process dies are lost with it. Not a replacement for the application's logging: no levels, no structure.
    /// </summary>
    public abstract void Log(string message);

    /// <summary>Sends the lines logged so far to the queue now (a long job that wants them visible while it runs); false when
    /// the attempt no longer holds its lease (the lines are dropped).</summary>
    public abstract Task<bool> FlushLogsAsync();

    /// <summary>
    /// Calls a named dependency through its cluster-wide circuit breaker (options: <c>ConfigureCircuitBreaker</c> on
    /// the workers builder). While the circuit is open this throws <see cref="CircuitOpenException"/>, which the
    /// replica turns into a deferral: the job waits and no attempt is used. Failures of <paramref name="call"/> count
    /// against the circuit and are rethrown.
    /// </summary>
    public abstract Task<T> CallDependencyAsync<T>(string dependency, Func<CancellationToken, Task<T>> call);

    /// <summary>The payload deserialised to <typeparamref name="T"/>; throws <see cref="UnrecoverableJobException"/> when it does not fit.</summary>
    public T? GetPayload<T>()
    {
        try
        {
            return JsonSerializer.Deserialize<T>(Payload, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new UnrecoverableJobException($"The payload is not a valid {typeof(T).Name}: {ex.Message}", ex);
        }
    }
}
