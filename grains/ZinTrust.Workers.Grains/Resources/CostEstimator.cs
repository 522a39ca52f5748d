using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Prices resource snapshots. Each snapshot stands for its <see cref="ResourceSnapshot.Period"/> on its silo:
/// core-hours are the process's CPU share × its cores × that time, GB-hours its working set (GiB) × that time.
/// A silo's compute in a snapshot is split between the worker replicas it hosted then, evenly per replica; with
/// no replica there it is reported as unattributed. On spot capacity compute prices are discounted. Storage is
/// priced per GiB-month (30 days), pro rata over the window, when the backends' size is known.
/// </summary>
public static class CostEstimator
{
    private const double BytesPerGiB = 1024d * 1024 * 1024;
    private static readonly TimeSpan Month = TimeSpan.FromDays(30);

    public static CostEstimate Estimate(IEnumerable<ResourceSnapshot> snapshots, CostOptions options, long? storageBytes, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(options);
        double discount = options.SpotInstances ? options.SpotDiscount : 0;
        double corePrice = options.CostPerCoreHour * (1 - discount);
        double gbPrice = options.CostPerGbHour * (1 - discount);
        var workers = new SortedDictionary<string, (double Core, double Gb)>(StringComparer.Ordinal);
        double siloHours = 0;
        double coreHours = 0;
        double gbHours = 0;
        double unattributed = 0;
        foreach (var snapshot in snapshots)
        {
            double hours = snapshot.Period.TotalHours;
            double core = snapshot.ProcessCpuPercent / 100 * snapshot.ProcessorCount * hours;
            double gb = snapshot.WorkingSetBytes / BytesPerGiB * hours;
            siloHours += hours;
            coreHours += core;
            gbHours += gb;
            int replicas = snapshot.Workers.Sum(w => w.Replicas);
            if (replicas == 0)
            {
                unattributed += (core * corePrice) + (gb * gbPrice);
                continue;
            }

            foreach (var share in snapshot.Workers)
            {
                double part = (double)share.Replicas / replicas;
                var sum = workers.GetValueOrDefault(share.Worker);
                workers[share.Worker] = (sum.Core + (core * part), sum.Gb + (gb * part));
            }
        }

        double compute = (coreHours * corePrice) + (gbHours * gbPrice);
        double storage = storageBytes is { } bytes ? bytes / BytesPerGiB * options.StoragePerGbMonth * (window / Month) : 0;
        return new CostEstimate
        {
            Currency = options.Currency,
            WindowHours = window.TotalHours,
            SampledSiloHours = siloHours,
            CoreHours = coreHours,
            GbHours = gbHours,
            Compute = compute,
            Unattributed = unattributed,
            Storage = storage,
            StorageBytes = storageBytes,
            Total = compute + storage,
            SpotInstances = options.SpotInstances,
            SpotDiscount = discount,
            Workers =
            [
                .. workers.Select(w => new WorkerCostEstimate
                {
                    Worker = w.Key,
                    CoreHours = w.Value.Core,
                    GbHours = w.Value.Gb,
                    Compute = (w.Value.Core * corePrice) + (w.Value.Gb * gbPrice),
                }),
            ],
        };
    }
}
