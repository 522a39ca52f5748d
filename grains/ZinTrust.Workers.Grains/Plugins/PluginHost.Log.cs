using Microsoft.Extensions.Logging;

namespace ZinTrust.Workers.Grains;

public sealed partial class PluginHost
{
    [LoggerMessage(6000, LogLevel.Information, "{Count} plugins registered on this silo: {Plugins}")]
    private static partial void LogRegistered(ILogger logger, int count, string plugins);

    [LoggerMessage(6001, LogLevel.Warning, "Plugin {Plugin} failed in its {Hook} hook; ignored")]
    private static partial void LogHookFailed(ILogger logger, string plugin, string hook, Exception exception);

    [LoggerMessage(6002, LogLevel.Warning, "Plugin {Plugin} did not finish its {Hook} hook within {Timeout}; abandoned")]
    private static partial void LogHookTimedOut(ILogger logger, string plugin, string hook, TimeSpan timeout);

    [LoggerMessage(6003, LogLevel.Debug, "Job {JobId} of worker {Worker} deferred by plugin {Plugin} for {Delay}: {Reason}")]
    private static partial void LogDeferred(ILogger logger, string jobId, string worker, string plugin, TimeSpan delay, string? reason);

    [LoggerMessage(6004, LogLevel.Information, "Plugin {Plugin} enabled = {Enabled} on this silo (settings version {Version})")]
    private static partial void LogSwitched(ILogger logger, string plugin, bool enabled, long version);

    [LoggerMessage(6005, LogLevel.Warning, "Reading the plugin switches from the registry failed; keeping the last known set")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
