using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Grains;

internal sealed partial class ProcessorSpecLoader
{
    [LoggerMessage(5010, LogLevel.Information, "Processor spec {Location} loaded: {Type} in {Context}")]
    private static partial void LogLoaded(ILogger logger, string location, string type, string context);

    [LoggerMessage(5011, LogLevel.Warning, "Processor spec {Location}: the bytes do not have the spec's SHA-256; not loaded")]
    private static partial void LogDigestMismatch(ILogger logger, string location);

    [LoggerMessage(5012, LogLevel.Information, "Processor spec {Context} ({Type}) no longer held by a replica on this silo; unloading")]
    private static partial void LogUnloading(ILogger logger, string context, string type);
}
