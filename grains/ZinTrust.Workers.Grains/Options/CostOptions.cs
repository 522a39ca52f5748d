namespace ZinTrust.Workers.Grains;

/// <summary>
/// Unit prices for cost estimates. No price configured (all zero, the default) means no estimate is reported.
/// </summary>
public sealed class CostOptions
{
    /// <summary>Costs are estimated over this window (the seed's "Costs (24h)").</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>WORKER_COST_PER_CORE_HOUR: the price of one core busy for an hour. Default: 0 (not priced).</summary>
    public double CostPerCoreHour { get; set; }

    /// <summary>WORKER_COST_PER_GB_HOUR: the price of one GiB of memory held for an hour. Default: 0 (not priced).</summary>
    public double CostPerGbHour { get; set; }

    /// <summary>
    /// WORKER_COST_STORAGE_PER_GB_MONTH: the price of one GiB stored for 30 days, charged on what the registered
    /// <see cref="IStorageUsage"/> backends hold (Redis' used memory). Default: 0 (not priced, not measured).
    /// </summary>
    public double StoragePerGbMonth { get; set; }

    /// <summary>WORKER_COST_CURRENCY: an ISO 4217 code. Default: USD.</summary>
    public string Currency { get; set; } = "USD";

    /// <summary>WORKER_SPOT_INSTANCES: the silos run on spot (preemptible) capacity, so compute is discounted. Default: false (the seed's).</summary>
    public bool SpotInstances { get; set; }

    /// <summary>WORKER_SPOT_DISCOUNT: the share taken off compute prices on spot capacity, 0 to below 1. Default: 0.7 (70 % off).</summary>
    public double SpotDiscount { get; set; } = 0.7;

    /// <summary>Whether any unit price is set (otherwise no estimate is made).</summary>
    public bool Configured => CostPerCoreHour > 0 || CostPerGbHour > 0 || StoragePerGbMonth > 0;
}
