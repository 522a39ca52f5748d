namespace ZinTrust.Workers.Abstractions.Tests;

public sealed class BackoffTests
{
    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 500)]
    [InlineData(10, 500)]
    public void Fixed_WaitsTheBaseDelayEveryTime(int attempt, int expectedMs)
    {
        var backoff = new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.FromMilliseconds(500) };
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), backoff.ComputeDelay(attempt, 0.3));
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(3, 4000)]
    [InlineData(4, 8000)]
    [InlineData(20, 60000)]
    [InlineData(500, 60000)]
    public void Exponential_Doubles_UpToTheCap(int attempt, int expectedMs)
    {
        var backoff = new BackoffOptions { Kind = BackoffKind.Exponential, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromMinutes(1) };
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), backoff.ComputeDelay(attempt, 0.9));
    }

    [Theory]
    [InlineData(0.0, 750)]
    [InlineData(0.5, 875)]
    [InlineData(0.999, 999)]
    public void Jitter_RandomisesDownwards_WithinItsFraction(double random, int expectedMs)
    {
        var backoff = new BackoffOptions { Kind = BackoffKind.Fixed, BaseDelay = TimeSpan.FromSeconds(1), Jitter = 0.25 };
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), backoff.ComputeDelay(1, random));
    }

    [Fact]
    public void AttemptBelowOne_IsAProgrammingError() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BackoffOptions.Default.ComputeDelay(0, 0));
}
