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
        Assert.Equal(12, features.Count);   // the original's eleven and its healthMonitoring
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

    private const string Digest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("processors/p.dll", null, Digest, null, null)]
    [InlineData(null, "https://processors.example.com/p.dll", Digest, "Acme.Processors.Render", null)]
    [InlineData(null, null, Digest, null, "processorSpec")]
    [InlineData("p.dll", "https://processors.example.com/p.dll", Digest, null, "processorSpec")]
    [InlineData(null, "http://processors.example.com/p.dll", Digest, null, "processorSpec.url")]
    [InlineData(null, "https://user:pw@processors.example.com/p.dll", Digest, null, "processorSpec.url")]
    [InlineData("p\u0000.dll", null, Digest, null, "processorSpec.path")]
    [InlineData("p.dll", null, "abc", null, "processorSpec.sha256")]
    [InlineData("p.dll", null, Digest, "not a type", "processorSpec.type")]
    public void ProcessorSpec_IsCheckedForItsForm_WithTheInvalidProcessorSpecCode(string? path, string? url, string sha256, string? type, string? field)
    {
        var error = WorkerValidation.CheckProcessorSpec(new ProcessorSpec { Path = path, Url = url, Sha256 = sha256, Type = type });

        Assert.Equal(field, error?.Field);
        Assert.True(error is null || error.Code == WorkersErrorCodes.InvalidProcessorSpec);
    }

    [Fact]
    public void Definition_IsInvalid_WhenItNamesAProcessorAndASpec()
    {
        var errors = WorkerValidation.Validate(Valid with { Processor = "echo", ProcessorSpec = new ProcessorSpec { Path = "p.dll", Sha256 = Digest } });

        Assert.Contains(errors, e => e.Code == WorkersErrorCodes.InvalidProcessorSpec);
    }

    [Fact]
    public void VersionNamingAProcessor_DropsTheWorkersSpec_AndOneNamingNone_KeepsIt()
    {
        var withSpec = Valid with { Processor = null, ProcessorSpec = new ProcessorSpec { Path = "p.dll", Sha256 = Digest } };

        Assert.Null(new WorkerVersionSpec { Version = "2.0.0", Processor = "echo" }.Apply(withSpec).ProcessorSpec);
        Assert.Equal(withSpec.ProcessorSpec, new WorkerVersionSpec { Version = "2.0.0" }.Apply(withSpec).ProcessorSpec);
    }
}
