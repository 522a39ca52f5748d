using System.Net;

namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>
/// What the image runs, run here: the publish output of the silo, with the Dockerfile's ENV, as Production, as a
/// non-root user. The image itself is not built (no registry is reachable for its base images).
/// </summary>
public sealed class PublishedHostTests(PublishedHost host) : IClassFixture<PublishedHost>
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PublishedHost_AnswersLiveness_WithoutAKey()
    {
        using var response = await host.Http.GetAsync(host.Url("/health/live"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void PublishedHost_RunsAsANonRootUser()
    {
        Assert.Contains(host.ProcessCommandLine(), a => a.EndsWith(SiloProject.AssemblyName + ".dll", StringComparison.Ordinal));
        var uid = host.ProcessUid();
        Assert.NotEqual(0, uid);
        if (Environment.IsPrivilegedProcess)
        {
            Assert.Equal(PublishedHost.NobodyId, uid);   // started through setpriv
        }
    }

    [Fact]
    public async Task PublishedHost_AnswersReadiness_ToAProbeWithoutAKey_AndItsChecksToAViewer()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        // Ready once the silo is an active member; it was when /health/live first answered, but a loaded machine may lag.
        // The probe of the Kubernetes manifest and of compose sends no key.
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            using var ready = await host.Http.GetAsync(host.Url("/health/ready"), cancellationToken);
            var body = await ready.Content.ReadAsStringAsync(cancellationToken);
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                Assert.DoesNotContain("checks", body, StringComparison.Ordinal);   // which backend failed, and how, is for keys
                break;
            }

            Assert.True(ready.StatusCode == HttpStatusCode.ServiceUnavailable, $"/health/ready without a key gave {(int)ready.StatusCode}: {body}");
            Assert.True(DateTime.UtcNow < deadline, $"/health/ready did not answer 200 within {ReadyTimeout}: {body}\n{host.Log}");
            await Task.Delay(100, cancellationToken);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, host.Url("/health/ready"));
        request.Headers.Add("X-Api-Key", PublishedHost.ProbeKey);
        using var detailed = await host.Http.SendAsync(request, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, detailed.StatusCode);
        Assert.Contains("\"checks\"", await detailed.Content.ReadAsStringAsync(cancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComposeHealthcheck_Passes_OnTheRunningHost_AndFails_WhereNothingListens()
    {
        var compose = ComposeFile.Load();
        var cancellationToken = TestContext.Current.CancellationToken;
        foreach (var silo in compose.Silos)
        {
            var test = ComposeTests.ComposeHealthcheck(compose, silo);
            var up = await PublishedHost.RunAsync(test[1], test[2..], TimeSpan.FromSeconds(30), cancellationToken, new Dictionary<string, string> { ["PORT"] = $"{host.HttpPort}" });
            Assert.True(up.ExitCode == 0, $"{silo}'s healthcheck failed against a live host ({up.ExitCode}): {up.Output}");

            var down = await PublishedHost.RunAsync(test[1], test[2..], TimeSpan.FromSeconds(30), cancellationToken, new Dictionary<string, string> { ["PORT"] = $"{PublishedHost.FreePort()}" });
            Assert.True(down.ExitCode != 0, $"{silo}'s healthcheck passed where nothing listens: {down.Output}");
        }
    }
}
