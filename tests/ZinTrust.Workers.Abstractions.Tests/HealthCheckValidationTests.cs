namespace ZinTrust.Workers.Abstractions.Tests;

/// <summary>The rules of a declared health check and of the feature flags: what is accepted, and the code of what is not.</summary>
public sealed class HealthCheckValidationTests
{
    private static WorkerDefinition With(HealthCheckSpec check) => new() { Name = "email-sender", QueueName = "emails", HealthCheck = check };

    private static HealthCheckSpec Http(string url) => new() { Kind = HealthCheckKind.Http, Url = url };

    private static HealthCheckSpec Tcp(string host, int port) => new() { Kind = HealthCheckKind.Tcp, Host = host, Port = port };

    public static TheoryData<HealthCheckSpec> Accepted => new()
    {
        HealthCheckSpec.Registered("EmailHealthCheck"),
        Http("https://api.example.com/health?probe=1"),
        Http("http://127.0.0.1:8080/health") with { ExpectStatus = 204, Timeout = TimeSpan.FromMilliseconds(100), Interval = TimeSpan.FromSeconds(1), FailureThreshold = 1 },
        Tcp("db.internal", 5432) with { Timeout = TimeSpan.FromSeconds(60), Interval = TimeSpan.FromDays(1), FailureThreshold = 100 },
        Tcp("::1", 1),
        Tcp("10.0.0.7", 65535),
    };

    public static TheoryData<HealthCheckSpec, string> Refused => new()
    {
        { HealthCheckSpec.Registered("bad name!"), "name must be a registered health check's name" },
        { HealthCheckSpec.Registered("ok") with { Url = "http://x/" }, "a registered check takes a name only" },
        { Http("ftp://example.com/health"), "url must be an absolute http or https URL" },
        { Http("/health"), "url must be an absolute http or https URL" },
        { Http("http://user:pw@example.com/health"), "url must not carry user information" },
        { Http("http://example.com/" + new string('a', 2100)), "url must be an absolute http or https URL of at most 2048 characters" },
        { Http("http://example.com/") with { ExpectStatus = 600 }, "expectStatus must be an HTTP status" },
        { Http("http://example.com/") with { Host = "x" }, "an http check takes a url" },
        { Tcp("db", 0), "port must be 1..65535" },
        { Tcp("db", 65536), "port must be 1..65535" },
        { Tcp("not a host", 80), "host must be a host name or an IP address" },
        { Tcp("db", 80) with { Name = "x" }, "a tcp check takes a host and a port" },
        { Tcp("db", 80) with { Timeout = TimeSpan.FromMilliseconds(99) }, "timeoutMs must be 100..60000" },
        { Tcp("db", 80) with { Timeout = TimeSpan.FromSeconds(61) }, "timeoutMs must be 100..60000" },
        { Tcp("db", 80) with { Interval = TimeSpan.FromMilliseconds(999) }, "intervalMs must be 1000..86400000" },
        { Tcp("db", 80) with { FailureThreshold = 0 }, "failureThreshold must be 1..100" },
        { Tcp("db", 80) with { FailureThreshold = 101 }, "failureThreshold must be 1..100" },
        { new HealthCheckSpec { Kind = (HealthCheckKind)7 }, "kind must be registered, http or tcp" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void AWellFormedCheck_IsAccepted(HealthCheckSpec check) => Assert.Empty(WorkerValidation.Validate(With(check)));

    [Theory]
    [MemberData(nameof(Refused))]
    public void AMalformedCheck_IsINVALID_HEALTH_CHECK_SayingWhy(HealthCheckSpec check, string why)
    {
        var error = Assert.Single(WorkerValidation.Validate(With(check)));
        Assert.Equal((WorkersErrorCodes.InvalidHealthCheck, "healthCheck"), (error.Code, error.Field));
        Assert.StartsWith("Health check: " + why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUpdate_GivesACheckOrClearsIt_NotBoth()
    {
        Assert.Empty(WorkerValidation.Validate(new WorkerUpdate { HealthCheck = Tcp("db", 5432) }));
        Assert.Empty(WorkerValidation.Validate(new WorkerUpdate { ClearHealthCheck = true }));
        Assert.Equal(WorkersErrorCodes.InvalidHealthCheck, Assert.Single(WorkerValidation.Validate(new WorkerUpdate { HealthCheck = Tcp("db", 5432), ClearHealthCheck = true })).Code);
        Assert.Equal(WorkersErrorCodes.InvalidHealthCheck, Assert.Single(WorkerValidation.Validate(new WorkerUpdate { HealthCheck = Tcp("db", 0) })).Code);
    }

    [Theory]
    [InlineData(WorkerFeatures.Clustering)]
    [InlineData(WorkerFeatures.Compliance)]
    [InlineData(WorkerFeatures.Versioning)]
    public void AFlagThatCannotBeTurnedOff_IsFEATURE_NOT_SUPPORTED_OnCreateAndUpdate(string feature)
    {
        var off = new Dictionary<string, bool> { [feature] = false };
        var created = Assert.Single(WorkerValidation.Validate(new WorkerDefinition { Name = "email-sender", QueueName = "emails", Features = off }));
        var updated = Assert.Single(WorkerValidation.Validate(new WorkerUpdate { Features = off }));

        Assert.Equal((WorkersErrorCodes.FeatureNotSupported, $"features.{feature}"), (created.Code, created.Field));
        Assert.Equal(WorkersErrorCodes.FeatureNotSupported, updated.Code);
        Assert.Empty(WorkerValidation.Validate(new WorkerDefinition { Name = "email-sender", QueueName = "emails", Features = new Dictionary<string, bool> { [feature] = true } }));
    }

    [Fact]
    public void DatacenterOrchestrationOff_WithAPlacement_IsFEATURE_NOT_SUPPORTED()
    {
        var definition = new WorkerDefinition
        {
            Name = "email-sender",
            QueueName = "emails",
            Features = new Dictionary<string, bool> { [WorkerFeatures.DatacenterOrchestration] = false },
        };

        Assert.Empty(WorkerValidation.Validate(definition));
        Assert.Equal(WorkersErrorCodes.FeatureNotSupported, Assert.Single(WorkerValidation.Validate(definition with { Placement = new WorkerPlacement { Region = "us-east-1" } })).Code);
    }

    [Theory]
    [InlineData(WorkerFeatures.AutoScaling, false)]
    [InlineData(WorkerFeatures.CircuitBreaker, false)]
    [InlineData(WorkerFeatures.ResourceMonitoring, false)]
    [InlineData(WorkerFeatures.HealthMonitoring, true)]
    [InlineData(WorkerFeatures.DeadLetterQueue, true)]
    [InlineData(WorkerFeatures.Metrics, true)]
    [InlineData(WorkerFeatures.Observability, true)]
    [InlineData(WorkerFeatures.Plugins, true)]
    [InlineData(WorkerFeatures.DatacenterOrchestration, true)]
    public void AFlagLeftOut_HasItsDocumentedDefault(string feature, bool on)
    {
        var definition = new WorkerDefinition { Name = "email-sender", QueueName = "emails" };
        Assert.Equal(on, definition.Feature(feature));
        Assert.Equal(!on, (definition with { Features = new Dictionary<string, bool> { [feature] = !on } }).Feature(feature));
    }
}
