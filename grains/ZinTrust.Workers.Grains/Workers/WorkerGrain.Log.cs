using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Grains;

internal sealed partial class WorkerGrain
{
    [LoggerMessage(3000, LogLevel.Information, "Worker {Worker} created on queue {Queue}")]
    private static partial void LogCreated(ILogger logger, string worker, string queue);

    [LoggerMessage(3001, LogLevel.Information, "Worker {Worker} updated")]
    private static partial void LogUpdated(ILogger logger, string worker);

    [LoggerMessage(3002, LogLevel.Information, "Worker {Worker} deleted")]
    private static partial void LogDeleted(ILogger logger, string worker);

    [LoggerMessage(3003, LogLevel.Information, "Worker {Worker} running with {Replicas} replicas (generation {Generation})")]
    private static partial void LogStarted(ILogger logger, string worker, int replicas, long generation);

    [LoggerMessage(3004, LogLevel.Information, "Worker {Worker} stopped")]
    private static partial void LogStopped(ILogger logger, string worker);

    [LoggerMessage(3005, LogLevel.Error, "Worker {Worker} failed to start")]
    private static partial void LogStartFailed(ILogger logger, string worker, Exception exception);

    [LoggerMessage(3006, LogLevel.Warning, "Worker {Worker}: supervising replica {Replica} failed")]
    private static partial void LogSuperviseFailed(ILogger logger, string worker, int replica, Exception exception);

    [LoggerMessage(3009, LogLevel.Warning, "Worker {Worker}: health {Score} stayed critical for {Samples} samples; restarting it (health policy)")]
    private static partial void LogHealthRestart(ILogger logger, string worker, int score, int samples);

    [LoggerMessage(3010, LogLevel.Warning, "Worker {Worker}: health {Score} is critical but the policy's {MaxRestarts} restarts per window are used up")]
    private static partial void LogHealthRestartLimited(ILogger logger, string worker, int score, int maxRestarts);

    [LoggerMessage(3008, LogLevel.Information, "Worker {Worker}: paused = {Paused}")]
    private static partial void LogPaused(ILogger logger, string worker, bool paused);

    [LoggerMessage(3011, LogLevel.Information, "Worker {Worker}: health monitoring = {Monitoring}")]
    private static partial void LogMonitoring(ILogger logger, string worker, bool monitoring);

    [LoggerMessage(3007, LogLevel.Warning, "Worker {Worker}: stopping replica {Replica} failed")]
    private static partial void LogReplicaStopFailed(ILogger logger, string worker, int replica, Exception exception);
}
