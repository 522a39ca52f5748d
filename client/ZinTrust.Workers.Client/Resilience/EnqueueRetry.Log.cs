using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Client;

internal sealed partial class EnqueueRetry
{
    [LoggerMessage(7000, LogLevel.Warning, "Enqueue to queue {Queue} failed transiently ({ErrorType}); attempt {NextAttempt} in {Delay} with the same idempotency key")]
    private static partial void LogRetry(ILogger logger, string queue, int nextAttempt, TimeSpan delay, string errorType, Exception exception);

    [LoggerMessage(7001, LogLevel.Warning, "Enqueue to queue {Queue}: retry budget of {Budget} spent; giving up")]
    private static partial void LogBudgetSpent(ILogger logger, string queue, TimeSpan budget);
}
