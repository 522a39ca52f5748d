namespace ZinTrust.Workers.Grains;

/// <summary>The seed's auto-start truth table.</summary>
public static class AutoStartPolicy
{
    /// <summary>
    /// WORKER_AUTO_START is a global kill switch (unset = false). When it is true, a worker starts unless its own
    /// autoStart is false (unset follows the global flag). Inactive workers never start.
    /// </summary>
    public static bool ShouldAutoStart(bool? globalAutoStart, bool? workerAutoStart, bool activeStatus) =>
        activeStatus && globalAutoStart == true && workerAutoStart != false;

    /// <summary>
    /// The truth table plus the seed's driver rule: only workers on the configured persistence driver
    /// (or naming none) auto-start; workers naming another driver need a manual start.
    /// </summary>
    public static bool ShouldAutoStart(bool? globalAutoStart, bool? workerAutoStart, bool activeStatus, string? workerDriver, string configuredDriver) =>
        ShouldAutoStart(globalAutoStart, workerAutoStart, activeStatus) && (workerDriver is null || workerDriver == configuredDriver);
}
