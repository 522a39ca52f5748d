using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>A replica's hold on a loaded processor spec; disposing it lets the loader unload the assembly once no replica holds it.</summary>
internal sealed class ProcessorLease(Func<IServiceProvider, IJobProcessor> factory, Action release) : IDisposable
{
    private int released;

    /// <summary>Builds the processor for one job (constructor parameters from the job's services).</summary>
    public Func<IServiceProvider, IJobProcessor> Factory { get; } = factory;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref released, 1) == 0)
        {
            release();
        }
    }
}
