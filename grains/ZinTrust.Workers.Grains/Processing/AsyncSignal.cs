namespace ZinTrust.Workers.Grains;

/// <summary>An auto-reset signal for one waiter; a Set with no waiter is remembered until the next wait.</summary>
internal sealed class AsyncSignal
{
    private readonly Lock gate = new();
    private TaskCompletionSource? waiter;
    private bool signalled;

    public void Set()
    {
        TaskCompletionSource? toRelease;
        lock (gate)
        {
            toRelease = waiter;
            waiter = null;
            if (toRelease is null)
            {
                signalled = true;
            }
        }

        toRelease?.TrySetResult();
    }

    /// <summary>Returns when signalled, when <paramref name="timeout"/> passes, or when cancelled (no exception).</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => WaitAsync(timeout, TimeProvider.System, cancellationToken);

    /// <summary>Returns when signalled, when <paramref name="timeout"/> passes on <paramref name="time"/>, or when cancelled (no exception).</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        TaskCompletionSource tcs;
        lock (gate)
        {
            if (signalled)
            {
                signalled = false;
                return;
            }

            tcs = waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        try
        {
            await tcs.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            lock (gate)
            {
                if (ReferenceEquals(waiter, tcs))
                {
                    waiter = null;
                }
            }
        }
    }
}
