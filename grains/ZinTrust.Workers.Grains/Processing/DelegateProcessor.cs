using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>A processor written as a lambda.</summary>
internal sealed class DelegateProcessor(Func<JobContext, Task<object?>> handler) : IJobProcessor
{
    public Task<object?> ProcessAsync(JobContext context) => handler(context);
}

/// <summary>Adapts a typed processor: the payload is deserialised before the call.</summary>
internal sealed class TypedProcessor<TPayload>(IJobProcessor<TPayload> inner) : IJobProcessor
{
    public Task<object?> ProcessAsync(JobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var payload = context.GetPayload<TPayload>();
        if (payload is null && default(TPayload) is not null)
        {
            throw new UnrecoverableJobException($"The payload is null; {typeof(TPayload).Name} expected.");
        }

        return inner.ProcessAsync(payload!, context);
    }
}

/// <summary>A typed processor written as a lambda.</summary>
internal sealed class DelegateProcessor<TPayload>(Func<TPayload, JobContext, Task<object?>> handler) : IJobProcessor<TPayload>
{
    public Task<object?> ProcessAsync(TPayload payload, JobContext context) => handler(payload, context);
}

/// <summary>A health check written as a lambda.</summary>
internal sealed class DelegateHealthCheck(Func<CancellationToken, Task<HealthCheckOutcome>> check) : IWorkerHealthCheck
{
    public Task<HealthCheckOutcome> CheckAsync(string workerName, CancellationToken cancellationToken) => check(cancellationToken);
}
