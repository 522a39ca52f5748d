using System.Collections.Concurrent;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client.Tests;

/// <summary>
/// A client-side outgoing call filter for single enqueues (<see cref="IQueueGrain.Enqueue"/>, or <see cref="IQueueGrain.EnqueueEach"/>
/// when the client coalesces them): per queue, a plan says for each attempt
/// whether the call goes through, fails before reaching the cluster, or reaches it and then loses its answer.
/// </summary>
public sealed class EnqueueFaults
{
    private readonly ConcurrentDictionary<string, Func<int, EnqueueFault?>> plans = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<int, Task?>> holds = new(StringComparer.Ordinal);

    public void Plan(string queue, Func<int, EnqueueFault?> plan) => plans[queue] = plan;

    public void Plan(string queue, params EnqueueFault[] faults) =>
        plans[queue] = attempt => attempt <= faults.Length ? faults[attempt - 1] : null;

    /// <summary>Holds attempts of a queue until the task <paramref name="gate"/> gives for the attempt completes (null: no hold).
    /// The call waits asynchronously, so its caller goes on.</summary>
    public void Hold(string queue, Func<int, Task?> gate) => holds[queue] = gate;

    /// <summary>Enqueue calls the client made to this queue.</summary>
    public int Attempts(string queue) => attempts.GetValueOrDefault(queue);

    public async Task Apply(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name is not (nameof(IQueueGrain.Enqueue) or nameof(IQueueGrain.EnqueueEach)))
        {
            await context.Invoke();
            return;
        }

        var queue = context.TargetId.Key.ToString()!;
        int attempt = attempts.AddOrUpdate(queue, 1, static (_, n) => n + 1);
        if (holds.TryGetValue(queue, out var hold) && hold(attempt) is { } gate)
        {
            await gate;
        }

        var fault = plans.TryGetValue(queue, out var plan) ? plan(attempt) : null;
        if (fault is { AfterInvoke: false })
        {
            throw fault.Error;
        }

        await context.Invoke();
        if (fault is { AfterInvoke: true })
        {
            throw fault.Error;
        }
    }
}

/// <summary>One planned failure of an enqueue attempt.</summary>
public sealed record EnqueueFault(Exception Error, bool AfterInvoke)
{
    /// <summary>The call never reaches the cluster.</summary>
    public static EnqueueFault Before(Exception error) => new(error, AfterInvoke: false);

    /// <summary>The cluster applies the call, and its answer is lost.</summary>
    public static EnqueueFault After(Exception error) => new(error, AfterInvoke: true);
}
