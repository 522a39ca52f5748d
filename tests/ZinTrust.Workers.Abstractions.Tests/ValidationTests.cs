namespace ZinTrust.Workers.Abstractions.Tests;

public sealed class ValidationTests
{
    private static WorkerDefinition Valid => new() { Name = "email-sender", QueueName = "emails" };

    [Theory]
    [InlineData("abc", true)]
    [InlineData("Email_Sender-2", true)]
    [InlineData("ab", false)]
    [InlineData("has space", false)]
    [InlineData("dot.name", false)]
    [InlineData("../etc", false)]
    [InlineData("ünïcode", false)]
    [InlineData("a234567890123456789012345678901234567890123456789X", true)]
    [InlineData("a234567890123456789012345678901234567890123456789XY", false)]
    public void Names_FollowTheSeedsPattern(string name, bool valid) =>
        Assert.Equal(valid, WorkerValidation.IsValidName(name));

    [Theory]
    [InlineData("1.0.0", true)]
    [InlineData("10.20.300", true)]
    [InlineData("1.0", false)]
    [InlineData("v1.0.0", false)]
    [InlineData("1.0.0-beta", false)]
    public void Versions_AreXyz(string version, bool valid) =>
        Assert.Equal(valid, WorkerValidation.IsValidVersion(version));

    [Fact]
    public void ValidDefinition_HasNoErrors() => Assert.Empty(WorkerValidation.Validate(Valid));

    [Fact]
    public void EveryProblem_IsListed_WithItsCode()
    {
        var errors = WorkerValidation.Validate(Valid with
        {
            Name = "x",
            QueueName = "y y",
            Version = "one",
            Concurrency = 0,
            Features = new Dictionary<string, bool> { ["warpDrive"] = true },
            JobOptions = new JobOptions { Attempts = 0 },
        });

        Assert.Equal(
            [WorkersErrorCodes.InvalidWorkerName, WorkersErrorCodes.InvalidQueueName, WorkersErrorCodes.InvalidVersion, WorkersErrorCodes.InvalidConcurrency, WorkersErrorCodes.InvalidFeatureFlag, WorkersErrorCodes.InvalidJobOptions],
            errors.Select(e => e.Code));
    }

    [Fact]
    public void KnownFeatureFlags_AreAccepted()
    {
        var features = WorkerValidation.KnownFeatures.ToDictionary(f => f, _ => true);
        Assert.Empty(WorkerValidation.Validate(Valid with { Features = features }));
        Assert.Equal(11, features.Count);
    }

    [Theory]
    [InlineData(-1, null, null, WorkersErrorCodes.InvalidPriority)]
    [InlineData(101, null, null, WorkersErrorCodes.InvalidPriority)]
    [InlineData(null, -1, null, WorkersErrorCodes.InvalidDelay)]
    [InlineData(null, null, "", WorkersErrorCodes.InvalidIdempotencyKey)]
    [InlineData(null, null, "tab\there", WorkersErrorCodes.InvalidIdempotencyKey)]
    public void EnqueueRequests_AreChecked(int? priority, int? delayMs, string? key, string code)
    {
        var errors = WorkerValidation.Validate(new EnqueueRequest
        {
            Priority = priority,
            Delay = delayMs is { } d ? TimeSpan.FromMilliseconds(d) : null,
            IdempotencyKey = key,
        });
        Assert.Equal(code, Assert.Single(errors).Code);
    }

    [Theory]
    [InlineData("critical", 10)]
    [InlineData("HIGH", 5)]
    [InlineData("normal", 1)]
    [InlineData("low", 0)]
    [InlineData("42", 42)]
    public void PriorityNames_Parse(string text, int expected)
    {
        Assert.True(JobPriority.TryParse(text, out var priority));
        Assert.Equal(expected, priority);
    }

    [Theory]
    [InlineData("urgent")]
    [InlineData("101")]
    [InlineData("-1")]
    [InlineData(null)]
    public void BadPriorities_DoNotParse(string? text) => Assert.False(JobPriority.TryParse(text, out _));
}
