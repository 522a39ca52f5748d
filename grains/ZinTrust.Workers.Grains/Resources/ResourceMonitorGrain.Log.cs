using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

internal sealed partial class ResourceMonitorGrain
{
    // The seed's line, at Debug as there: one per silo per interval.
    [LoggerMessage(7000, LogLevel.Debug, "Resource snapshot captured {{ cpu: '{Cpu:0.0}%', memory: '{Memory:0.0}%' }} on silo {Silo}")]
    private static partial void LogSnapshot(ILogger logger, double cpu, double memory, string silo);

    [LoggerMessage(7001, LogLevel.Information, "Resource monitoring: {Gate}")]
    private static partial void LogGate(ILogger logger, ResourceMonitorGate gate);

    [LoggerMessage(7002, LogLevel.Information, "Resource monitoring {Action} by an operator")]
    private static partial void LogOperator(ILogger logger, string action);

    [LoggerMessage(7003, LogLevel.Warning, "Resource snapshot of silo {Silo} failed")]
    private static partial void LogSampleFailed(ILogger logger, string silo, Exception exception);

    [LoggerMessage(7004, LogLevel.Warning, "Resource monitor could not evaluate its gate (worker registry or reminder table unreachable); it tries again on its next reminder or notification")]
    private static partial void LogEvaluateFailed(ILogger logger, Exception exception);

    [LoggerMessage(7006, LogLevel.Warning, "Measuring the size of storage backend {Backend} failed; storage costs leave it out")]
    private static partial void LogStorageFailed(ILogger logger, string backend, Exception exception);

    [LoggerMessage(7005, LogLevel.Warning, "Resource monitor round failed")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);
}
