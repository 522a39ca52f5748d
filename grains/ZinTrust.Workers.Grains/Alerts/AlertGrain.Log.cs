using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Grains;

internal sealed partial class AlertGrain
{
    [LoggerMessage(7200, LogLevel.Warning, "Alert raised (warning): {Rule} {Subject}: {Message} [{AlertId}]")]
    private static partial void LogRaisedWarning(ILogger logger, string rule, string subject, string alertId, string message);

    [LoggerMessage(7201, LogLevel.Error, "Alert raised (critical): {Rule} {Subject}: {Message} [{AlertId}]")]
    private static partial void LogRaisedCritical(ILogger logger, string rule, string subject, string alertId, string message);

    [LoggerMessage(7202, LogLevel.Error, "Alert escalated to critical: {Rule} {Subject}: {Message} [{AlertId}]")]
    private static partial void LogEscalated(ILogger logger, string rule, string subject, string alertId, string message);

    [LoggerMessage(7203, LogLevel.Warning, "Alert back to warning: {Rule} {Subject}: {Message} [{AlertId}]")]
    private static partial void LogDeescalated(ILogger logger, string rule, string subject, string alertId, string message);

    [LoggerMessage(7204, LogLevel.Information, "Alert resolved: {Rule} {Subject}: {Resolution} [{AlertId}]")]
    private static partial void LogResolved(ILogger logger, string rule, string subject, string alertId, string resolution);

    [LoggerMessage(7205, LogLevel.Warning, "Alert evaluation failed; the next interval evaluates again")]
    private static partial void LogEvaluateFailed(ILogger logger, Exception exception);

    [LoggerMessage(7206, LogLevel.Debug, "Alert evaluation could not read the {Source}; its alerts are left as they were")]
    private static partial void LogSourceFailed(ILogger logger, string source, Exception exception);

    [LoggerMessage(7207, LogLevel.Warning, "Writing the alerts failed; the next evaluation writes them again")]
    private static partial void LogPersistFailed(ILogger logger, Exception exception);

    [LoggerMessage(7208, LogLevel.Warning, "The alert evaluator could not arm its reminder (reminder table unreachable); the next silo start or call tries again")]
    private static partial void LogEnsureFailed(ILogger logger, Exception exception);
}
