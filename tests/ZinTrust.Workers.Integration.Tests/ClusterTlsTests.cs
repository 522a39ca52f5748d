using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Client;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>
/// TLS between silos and from clients (SILO_TLS_*): silo processes with certificates of the cluster's authority form one
/// cluster and serve a client that has one; a silo whose certificate another authority issued cannot join, and a client
/// without a certificate (or without TLS) cannot connect. The silos run as Production: certificates are required both ways.
/// </summary>
public sealed class ClusterTlsTests
{
    private const string Password = "zt-test-pfx-password";

    [Fact]
    public async Task SilosWithTheClustersCertificates_FormOneCluster_AndServeAClientWithOne()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = TestCertificates.CreateAuthority("cluster");
        await using var cluster = await SiloProcesses.CreateAsync(RealServers.Redis, ct, extra: Tls(authority));
        await cluster.StartAsync(0, ct, settings: Certificate(authority, "silo-0"));
        await cluster.StartAsync(1, ct, settings: Certificate(authority, "silo-1"));
        await Eventually.True(async () => (await cluster.GetJson(0, "/health", ct)).GetProperty("activeSilos").GetInt32() == 2, "both silos are active members", TimeSpan.FromSeconds(60));

        using var host = await StartClientAsync(cluster, WorkersClientTls.FromFiles(authority.Issue("client", Password), authority.AuthorityPath, password: Password), ct);
        var workers = host.Services.GetRequiredService<IWorkerManager>();
        var queue = host.Services.GetRequiredService<IJobQueueFactory>().Get<JsonElement>("tls-q");
        await workers.CreateAsync(new WorkerDefinition { Name = "tls-w", QueueName = "tls-q", Processor = "echo", Replicas = 2 }, ct);
        await workers.StartAsync("tls-w", ct);
        var ack = await queue.EnqueueAsync(JsonDocument.Parse("{\"over\":\"tls\"}").RootElement, cancellationToken: ct);
        var done = await queue.WaitForResultAsync<JsonElement>(ack.JobId, TimeSpan.FromSeconds(60), ct);
        Assert.Equal("tls", done.GetProperty("over").GetString());
    }

    [Fact]
    public async Task ASiloWithAnotherAuthoritysCertificate_CannotJoin_AndClientsWithoutOne_CannotConnect()
    {
        var ct = TestContext.Current.CancellationToken;
        using var authority = TestCertificates.CreateAuthority("cluster");
        using var stranger = TestCertificates.CreateAuthority("stranger");
        await using var cluster = await SiloProcesses.CreateAsync(RealServers.Redis, ct, extra: Tls(authority));
        await cluster.StartAsync(0, ct, settings: Certificate(authority, "silo-0"));

        // Trusts the cluster's authority (so the refusal is the cluster's, not its own), but holds a stranger's certificate.
        // It may write itself into the membership table, but no connection to or from it is accepted: the members cannot
        // probe it, vote it dead, and it stops.
        var intruder = cluster.Launch(1, new Dictionary<string, string> { ["SILO_TLS_CERTIFICATE"] = stranger.Issue("intruder", Password) });
        await Eventually.True(() => intruder.HasExited, "the intruder is declared dead and stops", TimeSpan.FromSeconds(180));
        Assert.Contains("Authentication failed", cluster.Log(0), StringComparison.Ordinal);   // TlsServerConnectionMiddleware refused it
        Assert.Equal(1, (await cluster.GetJson(0, "/health", ct)).GetProperty("activeSilos").GetInt32());

        // A client without a certificate, and one without TLS at all, are refused at the gateway: they never connect (a
        // client that can connects within a second or two; these give up, or are stopped after 10 s).
        await Assert.ThrowsAnyAsync<Exception>(() => StartClientAsync(cluster, new WorkersClientTls { TrustedAuthorities = TransportCertificatesOf(authority) }, ct, TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAnyAsync<Exception>(() => StartClientAsync(cluster, null, ct, TimeSpan.FromSeconds(10)));
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2Collection TransportCertificatesOf(TestCertificates authority) =>
        ZinTrust.Workers.Abstractions.Security.TransportCertificates.LoadAuthorities(authority.AuthorityPath);

    private static Dictionary<string, string> Tls(TestCertificates authority) => new()
    {
        ["SILO_TLS_CA"] = authority.AuthorityPath,
        ["SILO_TLS_PASSWORD"] = Password,
    };

    private static Dictionary<string, string> Certificate(TestCertificates authority, string subject) => new()
    {
        ["SILO_TLS_CERTIFICATE"] = authority.Issue(subject, Password),
    };

    private static async Task<IHost> StartClientAsync(SiloProcesses cluster, WorkersClientTls? tls, CancellationToken ct, TimeSpan? limit = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.AddZinTrustWorkersClient(o => o.Tls = tls, c => c.UseZinTrustPostgresMembership(cluster.MembershipConnectionString));
        var host = builder.Build();
        using var start = CancellationTokenSource.CreateLinkedTokenSource(ct);
        start.CancelAfter(limit ?? TimeSpan.FromMinutes(2));
        try
        {
            await host.StartAsync(start.Token);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }
}
