using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>Encryption at rest on real Redis: nothing in Redis holds the plaintext, and a key retires only once no stored job
/// needs it.</summary>
public sealed class EncryptionAtRestRedisTests
{
    private const string Canary = "canary-3c9b-personal";
    private static int nextPort = 26000 + (Environment.ProcessId % 300) * 20;

    private sealed class EncryptedSilo(string prefix, string ring) : WebApplicationFactory<Program>
    {
        private readonly int siloPort = Interlocked.Add(ref nextPort, 2);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("SILO_PORT", siloPort.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("GATEWAY_PORT", (siloPort + 1).ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("LOG_LEVEL", "warn");
            builder.UseSetting("WORKER_API_KEYS", SiloProcesses.ApiKeysSetting);
            foreach (var (key, value) in Settings(prefix, ring))
            {
                builder.UseSetting(key, value);
            }
        }

        public HttpClient Admin()
        {
            var http = CreateClient();
            http.DefaultRequestHeaders.Add("X-Api-Key", SiloProcesses.ApiKey);
            return http;
        }
    }

    private static Dictionary<string, string> Settings(string prefix, string ring)
    {
        var endpoint = RealServers.Redis.Split(',')[0];
        return new()
        {
            ["QUEUE_DRIVER"] = "redis",
            ["WORKER_PERSISTENCE_DRIVER"] = "redis",
            ["REDIS_HOST"] = endpoint.Split(':')[0],
            ["REDIS_PORT"] = endpoint.Split(':')[1],
            ["WORKER_PERSISTENCE_REDIS_KEY_PREFIX"] = prefix + "-state",
            ["QUEUE_REDIS_KEY_PREFIX"] = prefix,
            ["WORKER_ENCRYPTION_KEYS_FILE"] = ring,
        };
    }

    [Fact]
    public async Task RedisHoldsNoPlaintext_AndAKeyRetiresOnlyAfterTheSweep()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = $"zt-enc-{Guid.NewGuid():N}"[..20];
        var directory = Directory.CreateTempSubdirectory("zt-enc-").FullName;
        var ring = Path.Combine(directory, "keys.json");
        await File.WriteAllTextAsync(ring, EncryptionKeyRing.Create("k1", TimeProvider.System).ToJson(), ct);
        var ids = new List<string>();
        try
        {
            await using (var silo = new EncryptedSilo(prefix, ring))
            {
                using var http = silo.Admin();
                Assert.Equal(HttpStatusCode.Created, (await http.PostAsync("/api/workers", Body("""{"name":"enc-worker","queueName":"enc-q","processor":"echo"}"""), ct)).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/workers/enc-worker/start", null, ct)).StatusCode);
                for (int i = 0; i < 5; i++)
                {
                    ids.Add(await Enqueue(http, i));
                }

                foreach (var id in ids)
                {
                    await Eventually.Get(() => Job(http, id), j => j.GetProperty("state").GetString() == "completed", $"job {id} completes");
                }

                Assert.Contains(Canary, (await Job(http, ids[0])).GetProperty("result").ToString(), StringComparison.Ordinal);
                Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/queues/enc-q/pause", null, ct)).StatusCode);
                for (int i = 5; i < 10; i++)
                {
                    ids.Add(await Enqueue(http, i));
                }
            }

            var (keys, values) = await RawDump(prefix);
            Assert.True(keys >= 4, $"expected the queue's and the state's keys, found {keys}");
            Assert.True(values >= 10, $"expected every job's record, found {values} values");

            Assert.Equal(0, (await Tool(["encryption-key", "--id", "k2", "--out", ring], prefix, ring)).ExitCode);
            var refused = await Tool(["encryption-key", "retire", "--id", "k1", "--out", ring], prefix, ring);
            Assert.Equal(4, refused.ExitCode);
            Assert.Contains("10 stored jobs are still encrypted under 'k1'", refused.Stderr, StringComparison.Ordinal);

            await using (var rotated = new EncryptedSilo(prefix, ring))
            {
                using var http = rotated.Admin();
                Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync("/api/compliance/encryption/reencrypt", null, ct)).StatusCode);
                await Eventually.Get(
                    async () => await Json(await http.GetAsync("/api/compliance/status", ct)),
                    s => s.GetProperty("encryption").GetProperty("sweep").GetProperty("finishedAt").ValueKind == JsonValueKind.String,
                    "the re-encryption sweep finishes");
            }

            var retired = await Tool(["encryption-key", "retire", "--id", "k1", "--out", ring], prefix, ring);
            Assert.True(retired.ExitCode == 0, retired.Stderr);
            Assert.Equal(["k2"], EncryptionKeyRing.Load(ring, out _)!.KeyIds);

            await using var after = new EncryptedSilo(prefix, ring);
            using var reader = after.Admin();
            foreach (var id in ids)
            {
                Assert.Contains(Canary, (await Job(reader, id)).GetProperty("payload").ToString(), StringComparison.Ordinal);
            }

            Assert.Equal(5, (await Json(await reader.GetAsync("/api/queues/enc-q", ct))).GetProperty("waiting").GetInt32());
            await RawDump(prefix);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Reads every key of the test's prefixes by its type (hash fields and values, strings, stream entries, list, set
    /// and sorted-set members) and fails on any that holds the canary; returns how many keys and values it read.</summary>
    private static async Task<(int Keys, int Values)> RawDump(string prefix)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RealServers.Redis);
        var db = redis.GetDatabase();
        var canary = Encoding.UTF8.GetBytes(Canary);
        int keys = 0, values = 0;
        void Check(RedisKey key, RedisValue value)
        {
            values++;
            Assert.False(((ReadOnlyMemory<byte>)value).Span.IndexOf(canary) >= 0, $"Redis key {key} holds the plaintext canary");
        }

        foreach (var server in redis.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: prefix + "*"))
            {
                keys++;
                switch (await db.KeyTypeAsync(key))
                {
                    case RedisType.Hash:
                        foreach (var entry in await db.HashGetAllAsync(key))
                        {
                            Check(key, entry.Name);
                            Check(key, entry.Value);
                        }

                        break;
                    case RedisType.String:
                        Check(key, await db.StringGetAsync(key));
                        break;
                    case RedisType.Stream:
                        foreach (var entry in await db.StreamRangeAsync(key))
                        {
                            foreach (var field in entry.Values)
                            {
                                Check(key, field.Value);
                            }
                        }

                        break;
                    case RedisType.List:
                        foreach (var item in await db.ListRangeAsync(key))
                        {
                            Check(key, item);
                        }

                        break;
                    case RedisType.Set:
                        foreach (var item in await db.SetMembersAsync(key))
                        {
                            Check(key, item);
                        }

                        break;
                    case RedisType.SortedSet:
                        foreach (var item in await db.SortedSetRangeByRankAsync(key))
                        {
                            Check(key, item);
                        }

                        break;
                }
            }
        }

        return (keys, values);
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> Tool(string[] args, string prefix, string ring) =>
        SiloProcesses.RunToExitAsync(args, Settings(prefix, ring), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

    private static async Task<string> Enqueue(HttpClient http, int n)
    {
        var response = await http.PostAsync("/api/queues/enc-q/jobs", Body($$"""{"payload":{"n":{{n}},"who":"{{Canary}}"},"dataSubject":"subject-{{n}}"}"""), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Json(response)).GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> Job(HttpClient http, string id) =>
        await Json(await http.GetAsync($"/api/queues/enc-q/jobs/{id}", TestContext.Current.CancellationToken));

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return doc.RootElement.Clone();
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");
}
