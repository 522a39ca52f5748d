using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// Workers whose processor is a spec, end to end on a two-silo cluster: each silo that hosts a replica reads or fetches the
/// assembly itself and checks its digest. The https server runs on 127.0.0.1, which the real address policy refuses; these
/// silos get a test-only policy that allows exactly 127.0.0.1 (and trust the server's test certificate by its hash). The
/// last tests show the real policy refusing the same server without a connection.
/// </summary>
public sealed class ProcessorSpecWorkerTests(ProcessorSpecWorkerTests.Fixture fixture) : IClassFixture<ProcessorSpecWorkerTests.Fixture>
{
    private WorkersCluster C => fixture.Cluster;

    [Fact]
    public async Task PathSpecWorker_RunsAJobEndToEnd_OnEverySiloItsReplicasLandOn()
    {
        await C.Worker("spec-path").Create(Worker("spec-path", new ProcessorSpec { Path = SpecAssembly.FileName, Sha256 = SpecAssembly.Sha256 }, replicas: 2));
        await C.Worker("spec-path").Start();

        var job = await C.Queue("q-spec-path").Enqueue(new EnqueueRequest { Payload = """{"to":"ada"}""" });
        var record = await C.WaitForState("q-spec-path", job.JobId, JobState.Completed);

        Assert.Contains("\"from\":\"processor-spec\"", record.Result, StringComparison.Ordinal);
        Assert.Contains("\"to\":\"ada\"", record.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UrlSpecWorker_RunsAJobEndToEnd_FromAnAllowListedHttpsServer()
    {
        var spec = new ProcessorSpec { Url = fixture.Url, Sha256 = SpecAssembly.Sha256, Type = SpecAssembly.TypeName };
        await C.Worker("spec-url").Create(Worker("spec-url", spec));
        await C.Worker("spec-url").Start();

        var job = await C.Queue("q-spec-url").Enqueue(new EnqueueRequest { Payload = """{"n":1}""" });
        var record = await C.WaitForState("q-spec-url", job.JobId, JobState.Completed);

        Assert.Contains("\"from\":\"processor-spec\"", record.Result, StringComparison.Ordinal);
        Assert.True(fixture.Server.Connections >= 1);
    }

    [Fact]
    public async Task SpecWorker_FailsToStartWithTheDigestCode_AndLoadsNothing_WhenTheDigestIsWrong()
    {
        int copiesBefore = SpecAssembly.LoadedCopies();
        await C.Worker("spec-wrong").Create(Worker("spec-wrong", new ProcessorSpec { Path = SpecAssembly.FileName, Sha256 = SpecAssembly.WrongSha256 }));

        var error = await Assert.ThrowsAsync<WorkersException>(() => C.Worker("spec-wrong").Start());
        var info = await C.Worker("spec-wrong").Get();

        Assert.Equal(WorkersErrorCodes.ProcessorSpecDigestMismatch, error.Code);
        Assert.Equal(WorkerStatus.Failed, info!.Status);
        Assert.Contains("SHA-256", info.LastError, StringComparison.Ordinal);
        Assert.True(SpecAssembly.LoadedCopies() <= copiesBefore, "an assembly with the wrong digest was loaded");
    }

    [Fact]
    public async Task DeletingASpecWorker_ReleasesItsAssembly_OnEverySilo()
    {
        // Other workers of this class's cluster may still hold their own loads (their specs differ: "./" makes this one's its own).
        int before = LoadedOnSilos();
        await C.Worker("spec-delete").Create(Worker("spec-delete", new ProcessorSpec { Path = "./" + SpecAssembly.FileName, Sha256 = SpecAssembly.Sha256 }, replicas: 2));
        await C.Worker("spec-delete").Start();
        Assert.True(LoadedOnSilos() > before);

        await C.Worker("spec-delete").Delete();

        await Eventually.True(() => LoadedOnSilos() == before, "no silo holds this worker's processor spec after it is deleted");
    }

    [Fact]
    public async Task Fetch_IsRefusedWithoutAConnection_WhenTheRealAddressPolicyMeetsTheLoopbackServer()
    {
        int connections = fixture.Server.Connections;
        using var fetcher = fixture.Fetcher(PublicAddressPolicy.Refusal);

        var error = await Assert.ThrowsAsync<WorkersException>(() => fetcher.FetchAsync(new Uri(fixture.Url), TestContext.Current.CancellationToken));

        Assert.Equal(WorkersErrorCodes.ProcessorSpecRefused, error.Code);
        Assert.Equal(connections, fixture.Server.Connections);
    }

    [Fact]
    public async Task Fetch_IsRefused_WhenTheServerRedirects()
    {
        using var fetcher = fixture.Fetcher(Fixture.LoopbackOnly);
        fixture.Server.Override = (302, "https://localhost/elsewhere.dll");
        try
        {
            var error = await Assert.ThrowsAsync<WorkersException>(() => fetcher.FetchAsync(new Uri(fixture.Url), TestContext.Current.CancellationToken));

            Assert.Equal(WorkersErrorCodes.ProcessorSpecRefused, error.Code);
            Assert.Contains("redirect", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            fixture.Server.Override = null;
        }
    }

    [Fact]
    public async Task Fetch_IsTriedAgainAfter503s_UpToFetchRetryAttempts_AndNotAfterA404()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = new Uri(fixture.Url);
        using var fetcher = fixture.Fetcher(Fixture.LoopbackOnly, retries: 2);
        try
        {
            int before = fixture.Server.Connections;
            fixture.Server.FailNext = 2;
            var (bytes, _) = await fetcher.FetchAsync(url, ct);
            Assert.Equal(fixture.Server.Body, bytes);
            Assert.Equal(before + 3, fixture.Server.Connections);   // two 503s, then the body

            before = fixture.Server.Connections;
            fixture.Server.FailNext = 3;
            var exhausted = await Assert.ThrowsAsync<HttpRequestException>(() => fetcher.FetchAsync(url, ct));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, exhausted.StatusCode);
            Assert.Equal(before + 3, fixture.Server.Connections);   // the first try and two more

            before = fixture.Server.Connections;
            fixture.Server.Override = (404, null);
            var missing = await Assert.ThrowsAsync<WorkersException>(() => fetcher.FetchAsync(url, ct));
            Assert.Contains("404", missing.Message, StringComparison.Ordinal);
            Assert.Equal(before + 1, fixture.Server.Connections);   // an answer that will not change is not asked again
        }
        finally
        {
            fixture.Server.FailNext = 0;
            fixture.Server.Override = null;
        }
    }

    private int LoadedOnSilos() =>
        C.Cluster.Silos.Sum(s => C.Cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<ProcessorSpecLoader>().LoadedCount);

    private static WorkerDefinition Worker(string name, ProcessorSpec spec, int replicas = 1) =>
        new() { Name = name, QueueName = "q-" + name, ProcessorSpec = spec, Replicas = replicas };

    /// <summary>A root with the assembly, an https server serving it, and a cluster whose silos may read and fetch it.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private WorkersCluster? cluster;

        public string Root { get; } = SpecAssembly.NewRoot();

        internal TestHttpsServer Server { get; } = new(SpecAssembly.Bytes);

        public string Url => $"https://localhost:{Server.Port}/processors/{SpecAssembly.FileName}?token=not-logged";

        public WorkersCluster Cluster => cluster ?? throw new InvalidOperationException("Cluster not started.");

        /// <summary>Test-only: 127.0.0.1 (where the test server is) is allowed; everything else follows the real policy.</summary>
        public static string? LoopbackOnly(IPAddress address) => address.Equals(IPAddress.Loopback) ? null : PublicAddressPolicy.Refusal(address);

        public async ValueTask InitializeAsync()
        {
            var seams = Seams(LoopbackOnly);
            cluster = await WorkersCluster.StartAsync(
                workers: w => w.ConfigureProcessorSpecs(o =>
                {
                    o.Root = Root;
                    o.AllowedHosts = ["localhost"];
                    o.FetchRetryAttempts = 0;
                }),
                silo: (_, silo) => silo.Services.AddSingleton(seams));
        }

        internal ProcessorSpecFetcher Fetcher(Func<IPAddress, string?> policy, int retries = 0) => new(
            Microsoft.Extensions.Options.Options.Create(new ProcessorSpecOptions { AllowedHosts = ["localhost"], FetchRetryAttempts = retries, FetchRetryBackoff = TimeSpan.FromMilliseconds(10) }),
            Seams(policy),
            TimeProvider.System,
            NullLogger<ProcessorSpecFetcher>.Instance);

        public async ValueTask DisposeAsync()
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }

            await Server.DisposeAsync();
            Directory.Delete(Root, recursive: true);
        }

        private ProcessorFetchSeams Seams(Func<IPAddress, string?> policy) => new()
        {
            Resolve = (host, _) => Task.FromResult(host == "localhost" ? new[] { IPAddress.Loopback } : []),
            AddressRefusal = policy,
            ConfigureHandler = handler => handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => Server.Trusts(certificate),
        };
    }
}
