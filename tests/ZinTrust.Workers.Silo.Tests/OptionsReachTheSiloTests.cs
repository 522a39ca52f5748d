using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>Every workers option the host loads reaches the silo, including those with no environment variable of their own.</summary>
public sealed class OptionsReachTheSiloTests
{
    [Fact]
    public async Task WorkersOptions_FromConfiguration_AreTheSilosOptions()
    {
        await using var factory = new SiloFactory(new Dictionary<string, string>
        {
            ["Workers:EventFeedWindow"] = "500",
            ["Workers:EventFeedHold"] = "00:00:07",
            ["Workers:StoreWriteMaxJobs"] = "777",
            ["Workers:AutoScalingReminderPeriod"] = "00:03:00",
            ["WORKER_CONCURRENCY"] = "9",
        });
        using var client = factory.Client();
        (await client.Get("/health")).EnsureSuccessStatusCode();

        var options = factory.Services.GetRequiredService<IOptions<WorkersOptions>>().Value;

        Assert.Equal((500, TimeSpan.FromSeconds(7), 777, 9), (options.EventFeedWindow, options.EventFeedHold, options.StoreWriteMaxJobs, options.DefaultConcurrency));
        Assert.Equal(TimeSpan.FromMinutes(3), options.AutoScalingReminderPeriod);   // once validated and then dropped
    }
}
