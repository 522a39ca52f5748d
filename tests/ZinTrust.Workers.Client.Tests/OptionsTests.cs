using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.Client.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Validator_ReportsEveryInvalidSetting_ByName()
    {
        var options = new WorkersClientOptions
        {
            GatewayPort = 0,
            ServiceId = "",
            EnqueueRetry = new EnqueueRetryOptions { MaxAttempts = 0, BaseDelay = TimeSpan.FromSeconds(3), MaxDelay = TimeSpan.FromSeconds(1), Budget = TimeSpan.Zero },
            ResultWait = new ResultWaitOptions { PushSafetyPollInterval = TimeSpan.FromHours(1), PollInitialDelay = TimeSpan.Zero },
            EnqueueCoalescing = new EnqueueCoalescingOptions { MaxJobsPerCall = 10_001, MaxCallsInFlight = 0 },
        };

        var result = new WorkersClientOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        foreach (var setting in new[] { "GatewayPort", "ServiceId", "EnqueueRetry.MaxAttempts", "EnqueueRetry.MaxDelay", "EnqueueRetry.Budget", "ResultWait.PushSafetyPollInterval", "ResultWait.PollInitialDelay", "EnqueueCoalescing.MaxJobsPerCall", "EnqueueCoalescing.MaxCallsInFlight" })
        {
            Assert.Contains(result.Failures!, f => f.Contains($"WorkersClientOptions.{setting} ", StringComparison.Ordinal));
        }

        Assert.True(new WorkersClientOptionsValidator().Validate(null, new WorkersClientOptions()).Succeeded);
    }

    [Fact]
    public void AddZinTrustWorkersClient_RefusesInvalidSettings_AtRegistration()
    {
        var builder = Host.CreateApplicationBuilder();

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddZinTrustWorkersClient(o => o.EnqueueRetry.MaxAttempts = 0));

        Assert.Contains("EnqueueRetry.MaxAttempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClientServices_ValidateTheirOptions_WhenResolved()
    {
        using var services = new ServiceCollection()
            .AddZinTrustWorkersClientServices(o => o.ResultWait.PollMaxDelay = TimeSpan.FromMilliseconds(1))
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WorkersClientOptions>>().Value);

        Assert.Contains("ResultWait.PollMaxDelay", error.Message, StringComparison.Ordinal);
    }
}
