using System.Collections.Concurrent;

namespace ZinTrust.Workers.Client.Tests;

/// <summary>What the "gated" processor waits for, by the key in its payload: the test decides when a job finishes.</summary>
public sealed class Gates
{
    private readonly ConcurrentDictionary<string, Gate> gates = new(StringComparer.Ordinal);

    public Gate this[string key] => gates.GetOrAdd(key, static _ => new Gate());
}

public sealed class Gate
{
    private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a processor reached the gate (the job is running).</summary>
    public Task Started => started.Task;

    public void Release(string result) => released.TrySetResult(result);

    public async Task<string> PassAsync(CancellationToken cancellationToken)
    {
        started.TrySetResult();
        return await released.Task.WaitAsync(cancellationToken);
    }
}

/// <summary>The "gated" processor's payload and result.</summary>
public sealed record GatedJob(string Key);

public sealed record GatedResult(string Text, int Attempt);
