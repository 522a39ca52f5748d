using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

internal sealed partial class QueueGrain
{
    [LoggerMessage(1000, LogLevel.Debug, "Queue {Queue} activated with {Count} stored jobs")]
    private static partial void LogActivated(ILogger logger, string queue, int count);

    [LoggerMessage(1001, LogLevel.Warning, "Queue {Queue}: job {JobId} lease expired (owner {Owner}); stall {Stalls}")]
    private static partial void LogStalled(ILogger logger, string queue, string jobId, string? owner, int stalls);

    [LoggerMessage(1002, LogLevel.Information, "Queue {Queue}: report for job {JobId} rejected ({Status}, lease token {LeaseToken})")]
    private static partial void LogRejected(ILogger logger, string queue, string jobId, AckStatus status, long leaseToken);

    [LoggerMessage(1003, LogLevel.Error, "Queue {Queue}: job store write failed; the queue reloads from the store")]
    private static partial void LogStoreFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(1004, LogLevel.Warning, "Queue {Queue}: clock tick failed")]
    private static partial void LogClockFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(1005, LogLevel.Information, "Queue {Queue}: job {JobId} cancelled")]
    private static partial void LogCancelled(ILogger logger, string queue, string jobId);

    [LoggerMessage(1006, LogLevel.Debug, "Queue {Queue}: telling a watcher that job {JobId} settled failed")]
    private static partial void LogNotifyFailed(ILogger logger, string queue, string jobId, Exception exception);

    [LoggerMessage(1011, LogLevel.Information, "Queue {Queue}: {Count} job records rewritten under the active encryption key")]
    private static partial void LogReencrypted(ILogger logger, string queue, int count);

    [LoggerMessage(1012, LogLevel.Information, "Queue {Queue}: a data subject's jobs erased ({Count} jobs)")]
    private static partial void LogSubjectErased(ILogger logger, string queue, int count);
}
