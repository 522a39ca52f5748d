using System.Net;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>
/// Processor specs through the REST API: only an admin may create or change a worker (and so name a spec), a malformed spec
/// is a 400 with a stable code, and a spec this silo will not load (no WORKER_PROCESSOR_ROOT here) fails the start with its
/// refusal code rather than loading anything.
/// </summary>
[Collection(nameof(SiloCollection))]
public sealed class ProcessorSpecRoutesTests(SiloFixture fixture)
{
    private const string Digest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task CreateWithAProcessorSpec_IsForbidden_WhenTheKeyIsAnOperators()
    {
        using var operatorClient = fixture.Factory.Client(ApiRole.Operator);

        var response = await operatorClient.PostJson("/api/workers", new { name = "spec-by-operator", queueName = "spec-by-operator-q", processorSpec = new { path = "p.dll", sha256 = Digest } });
        var patch = await operatorClient.PatchJson("/api/workers/spec-any", """{"processorSpec":{"path":"p.dll","sha256":""" + $"\"{Digest}\"}}}}");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, patch.StatusCode);
    }

    [Theory]
    [InlineData("""{"url":"http://processors.example.com/p.dll","sha256":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}""")]
    [InlineData("""{"path":"p.dll"}""")]
    [InlineData("""{"path":"p.dll","sha256":"abc"}""")]
    [InlineData("""{"path":"p.dll","url":"https://processors.example.com/p.dll","sha256":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}""")]
    [InlineData("""{"url":"https://user:secret@processors.example.com/p.dll","sha256":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}""")]
    public async Task CreateWithAProcessorSpec_Is400InvalidProcessorSpec_WhenTheSpecIsMalformed(string spec)
    {
        var response = await fixture.Client.PostJson("/api/workers", """{"name":"spec-malformed","queueName":"spec-malformed-q","processorSpec":""" + spec + "}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_PROCESSOR_SPEC", (await response.Json()).Str("code"));
    }

    [Fact]
    public async Task CreateWithAProcessorSpec_Is400_WhenAProcessorNameIsGivenToo()
    {
        var response = await fixture.Client.PostJson("/api/workers", new { name = "spec-both", queueName = "spec-both-q", processor = "echo", processorSpec = new { path = "p.dll", sha256 = Digest } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_PROCESSOR_SPEC", (await response.Json()).Str("code"));
    }

    [Fact]
    public async Task StartOfASpecWorker_Is422ProcessorSpecRefused_WhenThisSiloHasNoProcessorRoot()
    {
        var created = await fixture.Client.PostJson("/api/workers", new { name = "spec-no-root", queueName = "spec-no-root-q", processorSpec = new { path = "p.dll", sha256 = Digest } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var spec = (await created.Json()).GetProperty("worker").GetProperty("processorSpec");

        var started = await fixture.Client.Post("/api/workers/spec-no-root/start");

        Assert.Equal("p.dll", spec.Str("path"));
        Assert.Equal(Digest, spec.Str("sha256"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, started.StatusCode);
        Assert.Equal("PROCESSOR_SPEC_REFUSED", (await started.Json()).Str("code"));
    }
}
