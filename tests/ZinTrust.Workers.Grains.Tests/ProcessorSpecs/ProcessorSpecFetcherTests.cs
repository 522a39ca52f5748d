using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// The SSRF guard of address specs, with the real address policy: every address below is refused with
/// PROCESSOR_SPEC_REFUSED before a connection is made. Loopback listeners on the addresses' port prove that nothing connected;
/// name resolution is injected so that an allow-listed name can resolve to loopback.
/// </summary>
public sealed class ProcessorSpecFetcherTests : IDisposable
{
    private readonly TcpListener listener4 = new(IPAddress.Loopback, 0);
    private readonly TcpListener? listener6;
    private readonly List<string> resolved = [];

    public ProcessorSpecFetcherTests()
    {
        listener4.Start();
        try
        {
            listener6 = new TcpListener(IPAddress.IPv6Loopback, Port);
            listener6.Start();
        }
        catch (SocketException)
        {
            listener6 = null;   // no IPv6 loopback here: the ::1 cases are still refused, without the second witness
        }
    }

    private int Port => ((IPEndPoint)listener4.LocalEndpoint).Port;

    public static TheoryData<string, string> RefusedAddresses => new()
    {
        { "http://127.0.0.1:{port}/p.dll", "https" },
        { "https://127.0.0.1:{port}/p.dll", "public addresses only" },
        { "https://[::1]:{port}/p.dll", "public addresses only" },
        { "https://169.254.169.254:{port}/latest/meta-data/", "public addresses only" },
        { "https://10.0.0.1:{port}/p.dll", "public addresses only" },
        { "https://[::ffff:127.0.0.1]:{port}/p.dll", "public addresses only" },
        { "https://[::ffff:10.0.0.1]:{port}/p.dll", "public addresses only" },
        { "https://not-listed.test:{port}/p.dll", "REMOTE_PROCESSOR_ALLOWLIST" },
        { "https://evil.test:{port}/p.dll", "public addresses only" },
        { "https://mixed.test:{port}/p.dll", "public addresses only" },
    };

    [Theory]
    [MemberData(nameof(RefusedAddresses))]
    public async Task Fetch_IsRefusedWithAStableCode_AndConnectsNowhere_WhenTheAddressIsNotAllowed(string template, string reason)
    {
        var url = new Uri(template.Replace("{port}", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        using var fetcher = Fetcher();

        var error = await Assert.ThrowsAsync<WorkersException>(() => fetcher.FetchAsync(url, TestContext.Current.CancellationToken));

        Assert.Equal(WorkersErrorCodes.ProcessorSpecRefused, error.Code);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.False(listener4.Pending(), "a connection reached the IPv4 loopback listener");
        Assert.False(listener6?.Pending() ?? false, "a connection reached the IPv6 loopback listener");
        if (url.Host == "not-listed.test" || url.Scheme == "http")
        {
            Assert.Empty(resolved);   // refused before any name resolution
        }
    }

    [Fact]
    public async Task Fetch_IsRefused_WhenTheAllowListIsEmpty()
    {
        using var fetcher = Fetcher(hosts: []);

        var error = await Assert.ThrowsAsync<WorkersException>(() => fetcher.FetchAsync(new Uri("https://evil.test/p.dll"), TestContext.Current.CancellationToken));

        Assert.Equal(WorkersErrorCodes.ProcessorSpecRefused, error.Code);
        Assert.Contains("REMOTE_PROCESSOR_ALLOWLIST is empty", error.Message, StringComparison.Ordinal);
        Assert.Empty(resolved);
    }

    public void Dispose()
    {
        listener4.Stop();
        listener4.Dispose();
        listener6?.Stop();
        listener6?.Dispose();
    }

    private ProcessorSpecFetcher Fetcher(List<string>? hosts = null)
    {
        var options = new ProcessorSpecOptions
        {
            // The IP literals are listed so that their refusal comes from the address policy, not the allow-list.
            AllowedHosts = hosts ?? ["127.0.0.1", "::1", "169.254.169.254", "10.0.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "evil.test", "mixed.test"],
            FetchRetryAttempts = 0,
            FetchTimeout = TimeSpan.FromSeconds(5),
        };
        var seams = new ProcessorFetchSeams
        {
            Resolve = (host, _) =>
            {
                lock (resolved)
                {
                    resolved.Add(host);
                }

                return Task.FromResult(host switch
                {
                    "evil.test" => new[] { IPAddress.Loopback },
                    "mixed.test" => [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("10.0.0.1")],
                    _ => [],
                });
            },
        };
        return new ProcessorSpecFetcher(Microsoft.Extensions.Options.Options.Create(options), seams, TimeProvider.System, NullLogger<ProcessorSpecFetcher>.Instance);
    }
}
