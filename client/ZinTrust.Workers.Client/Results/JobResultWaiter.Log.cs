using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Client;

internal sealed partial class JobResultWaiter
{
    [LoggerMessage(7010, LogLevel.Debug, "Awaiting job {JobId} on queue {Queue}: read failed transiently ({ErrorType}); reading again in {Delay}")]
    private static partial void LogTransient(ILogger logger, string queue, string jobId, TimeSpan delay, string errorType, Exception exception);

    [LoggerMessage(7011, LogLevel.Debug, "Awaiting job {JobId} on queue {Queue}: unregistering the waiter failed; it expires on its own")]
    private static partial void LogUnwatchFailed(ILogger logger, string queue, string jobId, Exception exception);
}
