using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>The client's shared <see cref="EnqueueBatchers"/> (null when <see cref="EnqueueCoalescingOptions.Enabled"/> is false).</summary>
internal sealed class ClientEnqueueBatchers(IClusterClient client, IOptions<WorkersClientOptions> options)
{
    public EnqueueBatchers? Batchers { get; } = options.Value.EnqueueCoalescing.Enabled
        ? new EnqueueBatchers(client, options.Value.EnqueueCoalescing.MaxJobsPerCall, options.Value.EnqueueCoalescing.MaxCallsInFlight)
        : null;
}
