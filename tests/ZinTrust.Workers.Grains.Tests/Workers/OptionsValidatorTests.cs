namespace ZinTrust.Workers.Grains.Tests;

public sealed class OptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValid() => Assert.True(new WorkersOptionsValidator().Validate(null, new WorkersOptions()).Succeeded);

    [Fact]
    public void EveryFailure_NamesItsEnvironmentVariable()
    {
        var result = new WorkersOptionsValidator().Validate(null, new WorkersOptions
        {
            DefaultConcurrency = 0,
            DefaultTimeout = TimeSpan.Zero,
            DefaultAttempts = 0,
            DefaultPriority = 500,
            ConnectionTimeout = TimeSpan.Zero,
            HealthCheckInterval = TimeSpan.Zero,
            PersistenceDriver = "mongodb",
        });

        Assert.True(result.Failed);
        string[] variables = ["WORKER_CONCURRENCY", "WORKER_TIMEOUT", "WORKER_RETRIES", "WORKER_PRIORITY", "WORKER_CONNECTION_TIMEOUT", "WORKER_HEALTH_CHECK_INTERVAL", "WORKER_PERSISTENCE_DRIVER"];
        Assert.Equal(variables, result.Failures!.Select(f => f[..f.IndexOf(' ', StringComparison.Ordinal)]));
    }

    [Theory]
    [InlineData(0, 60)]
    [InlineData(7200, 60)]
    [InlineData(30, -1)]
    [InlineData(30, 7200)]
    public void MetricsIntervals_OutOfRange_AreRefused_NamingTheSetting(int collectSeconds, int writeSeconds)
    {
        var result = new WorkersOptionsValidator().Validate(null, new WorkersOptions
        {
            MetricsInterval = TimeSpan.FromSeconds(collectSeconds),
            MetricsWriteInterval = TimeSpan.FromSeconds(writeSeconds),
        });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith(collectSeconds == 30 ? "Workers:MetricsWriteInterval" : "Workers:MetricsInterval", failure, StringComparison.Ordinal);
    }
}
