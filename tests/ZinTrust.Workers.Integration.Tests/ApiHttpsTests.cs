using System.Net;
using System.Security.Cryptography.X509Certificates;
using ZinTrust.Workers.Abstractions.Security;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>The REST API over HTTPS (WORKER_API_CERTIFICATE): the host serves TLS with the configured certificate, sends HSTS
/// and the security headers, the probes still answer without a key, and plain HTTP on the port gets no API.</summary>
public sealed class ApiHttpsTests(ApiHttpsTests.HttpsSilo silo) : IClassFixture<ApiHttpsTests.HttpsSilo>
{
    public sealed class HttpsSilo : SiloProcess, IDisposable
    {
        private const string Password = "zt-api-pfx-password";
        private readonly TestCertificates authority = TestCertificates.CreateAuthority("api");
        private readonly Lazy<Dictionary<string, string>> environment;

        public HttpsSilo() => environment = new(() => new Dictionary<string, string>
        {
            ["WORKER_API_CERTIFICATE"] = authority.Issue("api", Password),
            ["WORKER_API_CERTIFICATE_PASSWORD"] = Password,
        });

        public X509Certificate2Collection Authorities => TransportCertificates.LoadAuthorities(authority.AuthorityPath);

        protected override string Scheme => "https";

        protected override IReadOnlyDictionary<string, string> Environment => environment.Value;

        /// <summary>Trusts the test's authority, as a client given the CA would.</summary>
        public override HttpMessageHandler CreateHandler()
        {
            var authorities = Authorities;
            return new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
                    certificate is not null && TransportCertificates.IsTrusted(certificate, authorities, errors),
            };
        }

        public void Dispose() => authority.Dispose();
    }

    [Fact]
    public async Task TheApi_ServesHttps_WithHstsAndSecurityHeaders()
    {
        var ct = TestContext.Current.CancellationToken;
        using var response = await silo.Http.GetAsync("/api/workers", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));

        // Probes: no key needed, over HTTPS.
        using var anonymous = new HttpClient(silo.CreateHandler()) { BaseAddress = new Uri(silo.Url) };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/workers", ct)).StatusCode);
    }

    [Fact]
    public async Task PlainHttp_OnTheApiPort_GetsNoApi()
    {
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.Port}"), Timeout = TimeSpan.FromSeconds(10) };
        plain.DefaultRequestHeaders.Add("X-Api-Key", SiloProcess.ApiKey);

        var answer = await Record.ExceptionAsync(async () =>
        {
            using var response = await plain.GetAsync("/api/workers", TestContext.Current.CancellationToken);
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);   // Kestrel answers a plain request on a TLS port with 400
        });
        Assert.True(answer is null or HttpRequestException, $"unexpected: {answer}");
    }
}
