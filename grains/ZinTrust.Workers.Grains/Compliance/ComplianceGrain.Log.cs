using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Grains;

internal sealed partial class ComplianceGrain
{
    [LoggerMessage(8600, LogLevel.Information, "A data subject's jobs erased: {Jobs} jobs in {Queues} queues")]
    private static partial void LogErased(ILogger logger, int queues, int jobs);

    [LoggerMessage(8601, LogLevel.Information, "Re-encryption under key {KeyId} started over {Queues} queues")]
    private static partial void LogSweepStarted(ILogger logger, string keyId, int queues);

    [LoggerMessage(8602, LogLevel.Information, "Re-encryption under key {KeyId} finished: {Queues} queues, {Records} records, {Failed} queues failed")]
    private static partial void LogSweepFinished(ILogger logger, string keyId, int queues, long records, int failed);

    [LoggerMessage(8603, LogLevel.Warning, "Re-encrypting queue {Queue} failed; the next sweep retries it")]
    private static partial void LogSweepQueueFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(8604, LogLevel.Information, "Retention deleted {Deleted} finished jobs and dead letters in {Queues} queues")]
    private static partial void LogRetention(ILogger logger, long deleted, int queues);

    [LoggerMessage(8605, LogLevel.Warning, "Retention of queue {Queue} failed; the next run retries it")]
    private static partial void LogRetentionFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(8606, LogLevel.Warning, "Encryption key {KeyId} has done {Count} encryptions, a quarter of AES-GCM's bound of {Limit}: add a new active key (encryption-key --id NEW --out FILE) and roll it out")]
    private static partial void LogKeyNearLimit(ILogger logger, string keyId, long count, long limit);
}
