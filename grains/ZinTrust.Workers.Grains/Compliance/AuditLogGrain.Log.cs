using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Grains;

internal sealed partial class AuditLogGrain
{
    [LoggerMessage(8500, LogLevel.Warning, "Audit log: a newer writer claimed the log (this activation held epoch {Epoch}); it stops writing")]
    private static partial void LogFenced(ILogger logger, long epoch, Exception exception);

    [LoggerMessage(8501, LogLevel.Error, "Audit log: writing {Count} record(s) failed; the log's head is read again")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(8502, LogLevel.Information, "Audit log: retention removed {Count} record(s) older than {Days} days")]
    private static partial void LogTrimmed(ILogger logger, long count, int days);

    [LoggerMessage(8503, LogLevel.Warning, "Audit log: applying retention failed; it is tried again at the next interval")]
    private static partial void LogRetentionFailed(ILogger logger, Exception exception);
}
