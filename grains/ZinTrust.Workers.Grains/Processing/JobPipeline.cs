using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The silo's processor pipeline: the registered <see cref="IJobFilter"/>s in registration order (the first is the outermost)
/// and the built-in tracing filter, which replicas put around them when a listener asks for the spans. The plugins' job hooks
/// are the innermost filter, next to the processor.
/// </summary>
internal sealed class JobPipeline(IEnumerable<IJobFilter> filters, ILocalSiloDetails silo)
{
    public IJobFilter[] Filters { get; } = [.. filters];

    public IJobFilter Tracing { get; } = new TracingJobFilter(silo.SiloAddress.ToString());
}
