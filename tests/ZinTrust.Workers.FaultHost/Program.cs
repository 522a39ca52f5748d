using ZinTrust.Workers.Server;

namespace ZinTrust.Workers.FaultHost;

/// <summary>
/// The shipped host with the fault tests' <c>ledger</c> processor: it appends every start and end of an attempt to a file of
/// its own (ZT_LEDGER_DIR), which outlives the process, Redis and the cluster, so a test can count executions after any fault.
/// </summary>
internal static class FaultHostProgram
{
    public static Task<int> Main(string[] args) =>
        SiloHost.RunAsync(args, workers => workers
            .AddProcessor("ledger", LedgerProcessor.Create().RunAsync)
            .AddProcessor<UpgradeProbeProcessor>("probe"));
}
