using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Orleans.Hosting;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>The API keys every test host is configured with (only their hashes reach the host).</summary>
public static class TestKeys
{
    public const string Viewer = "zt_test_viewer_key_0000000000000000000000000000";
    public const string Operator = "zt_test_operator_key_000000000000000000000000000";
    public const string Admin = "zt_test_admin_key_00000000000000000000000000000";

    public static string Setting => string.Join(';',
        ApiKeyRing.Entry("test-viewer", ApiRole.Viewer, Viewer),
        ApiKeyRing.Entry("test-operator", ApiRole.Operator, Operator),
        ApiKeyRing.Entry("test-admin", ApiRole.Admin, Admin));

    public static string For(ApiRole role) => role switch
    {
        ApiRole.Viewer => Viewer,
        ApiRole.Operator => Operator,
        _ => Admin,
    };
}

/// <summary>The real host (silo + REST facade) in-process, on its own silo and gateway ports, with <see cref="TestKeys"/>.</summary>
public sealed class SiloFactory(IReadOnlyDictionary<string, string>? settings = null, bool withKeys = true) : WebApplicationFactory<Program>
{
    private static int nextPort = 21000 + (Environment.ProcessId % 500) * 20;
    private readonly int siloPort = Interlocked.Add(ref nextPort, 2);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("SILO_PORT", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("GATEWAY_PORT", (siloPort + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("LOG_LEVEL", "warn");
        if (withKeys)
        {
            builder.UseSetting("WORKER_API_KEYS", TestKeys.Setting);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        // A processor of the tests' own beside the shipped ones: it logs its job's group and answers with the job's envelope; and
        // the original documentation's registered health check, which always passes.
        builder.ConfigureTestServices(services => services.AddZinTrustWorkers(w => w
            .AddProcessor(EnvelopeProcessor, ctx =>
            {
                ctx.Log($"group: {ctx.Group ?? "none"}");
                return Task.FromResult<object?>(ctx.Headers);
            })
            .AddHealthCheck(EmailHealthCheck, _ => Task.FromResult(new ZinTrust.Workers.Abstractions.HealthCheckOutcome(true, "smtp answers")))));
    }

    /// <summary>The test processor that logs "group: NAME" and returns the headers its job came with.</summary>
    public const string EnvelopeProcessor = "envelope";

    /// <summary>The registered health check of the original documentation's create body (always healthy).</summary>
    public const string EmailHealthCheck = "EmailHealthCheck";

    /// <summary>A client sending the key of <paramref name="role"/> (admin by default); null: no key at all.</summary>
    public HttpClient Client(ApiRole? role = ApiRole.Admin)
    {
        var client = CreateClient();
        if (role is { } r)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", TestKeys.For(r));
        }

        return client;
    }
}

public static class Http
{
    public static async Task<JsonElement> Json(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, string json) =>
        client.PostAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PostJson<T>(this HttpClient client, string url, T value) =>
        client.PostAsJsonAsync(url, value, TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PatchJson(this HttpClient client, string url, string json) =>
        client.PatchAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PutJson<T>(this HttpClient client, string url, T value) =>
        client.PutAsJsonAsync(url, value, TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> Delete(this HttpClient client, string url) =>
        client.DeleteAsync(url, TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> Get(this HttpClient client, string url) =>
        client.GetAsync(url, TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> Post(this HttpClient client, string url) =>
        client.PostAsync(url, null, TestContext.Current.CancellationToken);

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;
}

/// <summary>One host for the tests of a collection.</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    public SiloFactory Factory { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Client = Factory.Client();
        var health = await Client.Get("/health");
        health.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}

[CollectionDefinition(nameof(SiloCollection))]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>;
