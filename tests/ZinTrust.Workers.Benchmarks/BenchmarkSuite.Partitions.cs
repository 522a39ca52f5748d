namespace ZinTrust.Workers.Benchmarks;

/// <summary>One hot queue in partitions: the end-to-end run on one queue of 1, 2, 4 and 8 partitions, twice, in one silo.</summary>
public sealed partial class BenchmarkSuite
{
    private static readonly int[] PartitionCounts = [1, 2, 4, 8];

    /// <summary>
    /// A partition is a queue grain of its own (its own turn and its own Redis hash tag), so on one silo partitions let one
    /// queue use more than one core; across silos they spread the queue's grains (see docs/performance.md for the calculation).
    /// The worker has one replica of the run's concurrency, which leases from every partition.
    /// </summary>
    private async Task Partitions(BenchSilo silo, CancellationToken cancellationToken)
    {
        await EndToEnd(silo, retain: 0, cancellationToken, record: false, limits: ("warmup", null, 0, 0), family: "one queue in partitions");
        for (int round = 1; round <= 2; round++)
        {
            foreach (int partitions in PartitionCounts)
            {
                int n = partitions;
                await EndToEnd(silo, retain: 0, cancellationToken, limits: ($"{n} partitions", o => o with { Partitions = n }, 0, round), family: "one queue in partitions");
            }
        }
    }
}
