using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Grains;

internal sealed partial class ReplicaRunner
{
    [LoggerMessage(2000, LogLevel.Information, "Replica {Replica} started on queue {Queue} with concurrency {Concurrency} (generation {Generation})")]
    private static partial void LogStarted(ILogger logger, string replica, string queue, int concurrency, long generation);

    [LoggerMessage(2001, LogLevel.Information, "Replica {Replica} stopped ({Completed} completed, {Failed} failed)")]
    private static partial void LogStopped(ILogger logger, string replica, long completed, long failed);

    [LoggerMessage(2002, LogLevel.Warning, "Replica {Replica}: lease failed ({Failures} in a row)")]
    private static partial void LogLeaseFailed(ILogger logger, string replica, int failures, Exception exception);

    [LoggerMessage(2003, LogLevel.Warning, "Replica {Replica}: reporting {Count} outcomes failed (attempt {Attempt}); retrying")]
    private static partial void LogReportRetry(ILogger logger, string replica, int count, int attempt, Exception exception);

    [LoggerMessage(2004, LogLevel.Error, "Replica {Replica}: gave up reporting {Count} outcomes; their leases will expire and the jobs run again")]
    private static partial void LogReportDropped(ILogger logger, string replica, int count, Exception exception);

    [LoggerMessage(2005, LogLevel.Warning, "Replica {Replica}: renewing leases failed")]
    private static partial void LogRenewFailed(ILogger logger, string replica, Exception exception);

    [LoggerMessage(2006, LogLevel.Warning, "Replica {Replica}: lost the lease of job {JobId}; its processor was cancelled")]
    private static partial void LogLeaseLost(ILogger logger, string replica, string jobId);

    [LoggerMessage(2007, LogLevel.Information, "Replica {Replica}: job {JobId} cancelled while running")]
    private static partial void LogJobCancelled(ILogger logger, string replica, string jobId);

    [LoggerMessage(2008, LogLevel.Warning, "Replica {Replica}: job {JobId} timed out after {Timeout}")]
    private static partial void LogJobTimedOut(ILogger logger, string replica, string jobId, TimeSpan timeout);

    [LoggerMessage(2009, LogLevel.Warning, "Replica {Replica}: {Count} jobs still running after the {Drain} drain; handing them back")]
    private static partial void LogDrainTimedOut(ILogger logger, string replica, int count, TimeSpan drain);

    [LoggerMessage(2010, LogLevel.Warning, "Replica {Replica}: reporting health failed")]
    private static partial void LogHealthReportFailed(ILogger logger, string replica, Exception exception);

    [LoggerMessage(2011, LogLevel.Warning, "Replica {Replica}: leasing from queue {Queue} failed; its other queues go on")]
    private static partial void LogQueueLeaseFailed(ILogger logger, string replica, string queue, Exception exception);
}
