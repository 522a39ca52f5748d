using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Cost arithmetic on fixed snapshots.</summary>
public sealed class CostEstimatorTests
{
    private const long GiB = 1024L * 1024 * 1024;
    private const int Precision = 9;

    // Silo A, one hour: half of 4 cores (2 core-hours), 2 GiB held (2 GB-hours); "light" has 1 replica there, "heavy" 3.
    private static readonly ResourceSnapshot Busy = new()
    {
        Silo = "A",
        Period = TimeSpan.FromHours(1),
        ProcessCpuPercent = 50,
        ProcessorCount = 4,
        WorkingSetBytes = 2 * GiB,
        Workers = [new() { Worker = "light", Replicas = 1 }, new() { Worker = "heavy", Replicas = 3 }],
    };

    // Silo B, half an hour with no replica: a quarter of 2 cores (0.25 core-hours), 1 GiB (0.5 GB-hours).
    private static readonly ResourceSnapshot Idle = new()
    {
        Silo = "B",
        Period = TimeSpan.FromMinutes(30),
        ProcessCpuPercent = 25,
        ProcessorCount = 2,
        WorkingSetBytes = GiB,
    };

    private static CostOptions Prices(bool spot = false) => new()
    {
        CostPerCoreHour = 0.04,
        CostPerGbHour = 0.005,
        StoragePerGbMonth = 3,
        Currency = "EUR",
        SpotInstances = spot,
        SpotDiscount = 0.7,
    };

    [Fact]
    public void Estimate_PricesCoreAndGbHours_AndSplitsEachSilosShareByReplicas()
    {
        var estimate = CostEstimator.Estimate([Busy, Idle], Prices(), storageBytes: null, TimeSpan.FromHours(24));

        Assert.Equal("EUR", estimate.Currency);
        Assert.Equal(24, estimate.WindowHours);
        Assert.Equal(1.5, estimate.SampledSiloHours, Precision);
        Assert.Equal(2.25, estimate.CoreHours, Precision);
        Assert.Equal(2.5, estimate.GbHours, Precision);
        Assert.Equal((2.25 * 0.04) + (2.5 * 0.005), estimate.Compute, Precision);      // 0.1025
        Assert.Equal((0.25 * 0.04) + (0.5 * 0.005), estimate.Unattributed, Precision); // silo B hosted no replica
        Assert.Equal(0, estimate.Storage);
        Assert.Null(estimate.StorageBytes);
        Assert.Equal(estimate.Compute, estimate.Total, Precision);
        Assert.Equal(["heavy", "light"], estimate.Workers.Select(w => w.Worker));
        var heavy = estimate.Workers[0];
        var light = estimate.Workers[1];
        Assert.Equal(1.5, heavy.CoreHours, Precision);
        Assert.Equal(1.5, heavy.GbHours, Precision);
        Assert.Equal(0.5, light.CoreHours, Precision);
        Assert.Equal((0.5 * 0.04) + (0.5 * 0.005), light.Compute, Precision);          // a quarter of silo A's 0.09
        Assert.Equal(estimate.Compute, estimate.Workers.Sum(w => w.Compute) + estimate.Unattributed, Precision);
    }

    [Fact]
    public void Estimate_OnSpotInstances_DiscountsComputeOnly()
    {
        var onDemand = CostEstimator.Estimate([Busy, Idle], Prices(), storageBytes: 10 * GiB, TimeSpan.FromHours(24));
        var spot = CostEstimator.Estimate([Busy, Idle], Prices(spot: true), storageBytes: 10 * GiB, TimeSpan.FromHours(24));

        Assert.True(spot.SpotInstances);
        Assert.Equal(0.7, spot.SpotDiscount);
        Assert.Equal(0, onDemand.SpotDiscount);
        Assert.Equal(onDemand.Compute * 0.3, spot.Compute, Precision);
        Assert.Equal(onDemand.Workers[1].Compute * 0.3, spot.Workers[1].Compute, Precision);
        Assert.Equal(onDemand.CoreHours, spot.CoreHours, Precision);
        Assert.Equal(1.0, spot.Storage, Precision);   // 10 GiB at 3 per GiB-month, for one day of a 30-day month
        Assert.Equal(onDemand.Storage, spot.Storage, Precision);
        Assert.Equal(spot.Compute + 1.0, spot.Total, Precision);
    }

    [Fact]
    public void Estimate_WithoutSnapshots_IsZero_AndNoPriceMeansNotConfigured()
    {
        var estimate = CostEstimator.Estimate([], Prices(), storageBytes: null, TimeSpan.FromHours(24));

        Assert.Equal(0, estimate.Total);
        Assert.Empty(estimate.Workers);
        Assert.False(new CostOptions().Configured);
        Assert.True(new CostOptions { StoragePerGbMonth = 0.1 }.Configured);
    }

    [Theory]
    [InlineData(-1, 0, 0, "USD", 0.7, "WORKER_COST_PER_CORE_HOUR")]
    [InlineData(0, double.NaN, 0, "USD", 0.7, "WORKER_COST_PER_GB_HOUR")]
    [InlineData(0, 0, 2e6, "USD", 0.7, "WORKER_COST_STORAGE_PER_GB_MONTH")]
    [InlineData(0, 0, 0, "usd", 0.7, "WORKER_COST_CURRENCY")]
    [InlineData(0, 0, 0, "USD", 1.0, "WORKER_SPOT_DISCOUNT")]
    public void Validator_NamesTheVariable_OfABadPrice(double core, double gb, double storage, string currency, double discount, string variable)
    {
        var result = new CostOptionsValidator().Validate(null, new CostOptions
        {
            CostPerCoreHour = core,
            CostPerGbHour = gb,
            StoragePerGbMonth = storage,
            Currency = currency,
            SpotDiscount = discount,
        });

        Assert.True(result.Failed);
        Assert.StartsWith(variable + " ", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }
}
