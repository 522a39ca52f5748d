using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Grains;

internal sealed partial class ProcessorSpecFetcher
{
    [LoggerMessage(5000, LogLevel.Warning, "Processor fetch from {Host} refused: it resolves to {Address}, {Reason}")]
    private static partial void LogAddressRefused(ILogger logger, string host, string address, string reason);

    [LoggerMessage(5001, LogLevel.Warning, "Processor fetch from {Url} failed (try {Attempt}); retrying in {Delay}: {Error}")]
    private static partial void LogRetrying(ILogger logger, string url, int attempt, TimeSpan delay, string error);
}
