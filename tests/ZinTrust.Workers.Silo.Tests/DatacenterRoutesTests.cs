using System.Net;
using System.Text.Json;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>/api/datacenters and a worker's placement and failover routes on one silo of region eu-west (zone eu-west-1a).</summary>
public sealed class DatacenterRoutesTests
{
    [Fact]
    public async Task Regions_Placement_Failover_AndTopology_ThroughRest()
    {
        await using var factory = new SiloFactory(new Dictionary<string, string> { ["SILO_REGION"] = "eu-west", ["SILO_ZONE"] = "eu-west-1a", ["CLUSTER_ID"] = "rest-regions" });
        using var client = factory.Client();

        var health = await (await client.Get("/health")).Json();
        Assert.Equal(("eu-west", "eu-west-1a", "rest-regions"), (health.Str("region"), health.Str("zone"), health.Str("clusterId")));

        var registered = await client.PostJson("/api/datacenters/regions", new { id = "us-west", name = "US West", location = new { lat = 37.7749, lon = -122.4194 }, capacity = 1000 });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var regions = await Eventually.Get(
            async () => await (await client.Get("/api/datacenters/regions")).Json(),
            r => r.GetProperty("count").GetInt32() == 2,
            "the registered region and the silo's own");
        var usWest = regions.GetProperty("regions").EnumerateArray().Single(r => r.Str("id") == "us-west");
        Assert.Equal(("US West", true, 1000, 37.7749), (usWest.Str("name"), usWest.GetProperty("registered").GetBoolean(), usWest.GetProperty("capacity").GetInt32(), usWest.GetProperty("location").GetProperty("lat").GetDouble()));
        Assert.False(regions.GetProperty("regions").EnumerateArray().Single(r => r.Str("id") == "eu-west").GetProperty("registered").GetBoolean());

        // The original's datacenter block on create: placement in its primary region, failover to the first secondary.
        var created = await client.PostJson("/api/workers", new
        {
            name = "dc-worker",
            queueName = "q-dc",
            processor = "echo",
            datacenter = new { primaryRegion = "eu-west", secondaryRegions = new[] { "us-west" }, affinityRules = new[] { "email-service-eu" }, healthCheckInterval = 30000 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var worker = await (await client.Get("/api/workers/dc-worker")).Json();
        var data = worker.TryGetProperty("worker", out var w) ? w : worker.GetProperty("data");
        Assert.Equal("eu-west", data.GetProperty("placement").Str("region"));
        Assert.Equal(("eu-west", "us-west", 30000.0), (data.GetProperty("failover").Str("primaryRegion"), data.GetProperty("failover").Str("secondaryRegion"), data.GetProperty("failover").GetProperty("healthCheckInterval").GetDouble()));
        Assert.Equal("eu-west", data.Str("placedIn"));

        (await client.Post("/api/workers/dc-worker/start")).EnsureSuccessStatusCode();
        var placement = (await (await client.Get("/api/workers/dc-worker/placement")).Json()).GetProperty("placement");
        Assert.Equal(("eu-west", "primary"), (placement.Str("region"), placement.Str("failoverState")));

        var topology = await (await client.Get("/api/datacenters/topology")).Json();
        var eu = topology.GetProperty("regions").EnumerateArray().Single(r => r.GetProperty("region").Str("id") == "eu-west");
        Assert.True(eu.GetProperty("healthy").GetBoolean());
        Assert.Equal("eu-west-1a", eu.GetProperty("silos")[0].Str("zone"));
        Assert.Equal(1, eu.GetProperty("replicas").GetProperty("dc-worker").GetInt32());
        Assert.False(topology.GetProperty("regions").EnumerateArray().Single(r => r.GetProperty("region").Str("id") == "us-west").GetProperty("healthy").GetBoolean());
        Assert.Contains(topology.GetProperty("workers").EnumerateArray(), x => x.Str("worker") == "dc-worker" && x.Str("region") == "eu-west");

        // Bad input: each with its code and status, nothing changed.
        await AssertError(client.PostJson("/api/datacenters/regions", new { id = "Mars Base" }), HttpStatusCode.BadRequest, "INVALID_REGION");
        await AssertError(client.PostJson("/api/datacenters/regions", new { id = "mars-1", location = new { lat = 120, lon = 0 } }), HttpStatusCode.BadRequest, "INVALID_REGION");
        await AssertError(client.PostJson("/api/datacenters/regions", new { name = "no id" }), HttpStatusCode.BadRequest, "MISSING_REQUIRED_FIELD");
        await AssertError(client.PutJson("/api/workers/dc-worker/placement", new { region = "mars-1" }), HttpStatusCode.NotFound, "REGION_NOT_FOUND");
        await AssertError(client.PutJson("/api/workers/dc-worker/placement", new { region = "us-west" }), HttpStatusCode.BadRequest, "INVALID_PLACEMENT");
        await AssertError(client.PutJson("/api/workers/dc-worker/failover", new { primaryRegion = "eu-west", secondaryRegion = "eu-west" }), HttpStatusCode.BadRequest, "INVALID_FAILOVER_POLICY");
        await AssertError(client.PutJson("/api/workers/dc-worker/failover", new { primaryRegion = "eu-west", secondaryRegion = "us-west", healthCheckInterval = 10 }), HttpStatusCode.BadRequest, "INVALID_FAILOVER_POLICY");
        await AssertError(client.PutJson("/api/workers/no-such-worker/placement", new { region = "eu-west" }), HttpStatusCode.NotFound, "WORKER_NOT_FOUND");
        await AssertError(client.PutJson("/api/workers/dc-worker/placement", new { region = "eu-west", colour = "blue" }), HttpStatusCode.BadRequest, null);

        // Removing the policy, then the placement: the replicas may run anywhere again, and each move is recorded.
        var removed = await (await client.Delete("/api/workers/dc-worker/failover")).Json();
        Assert.Equal("none", removed.GetProperty("placement").Str("failoverState"));
        var anywhere = await (await client.Delete("/api/workers/dc-worker/placement")).Json();
        var moves = anywhere.GetProperty("placement").GetProperty("moves");
        Assert.Equal(JsonValueKind.Null, anywhere.GetProperty("placement").GetProperty("region").ValueKind);
        Assert.Equal(("eu-west", "placement"), (moves[moves.GetArrayLength() - 1].Str("from"), moves[moves.GetArrayLength() - 1].Str("kind")));
        var status = await Eventually.Get(
            async () => await (await client.Get("/api/workers/dc-worker/status")).Json(),
            s => s.ToString().Contains("dc-worker/0", StringComparison.Ordinal),
            "the replica runs under its region-less key");
        Assert.DoesNotContain("~eu-west", status.ToString(), StringComparison.Ordinal);
    }

    private static async Task AssertError(Task<HttpResponseMessage> call, HttpStatusCode status, string? code)
    {
        using var response = await call;
        Assert.Equal(status, response.StatusCode);
        var body = await response.Json();
        if (code is not null)
        {
            Assert.Equal(code, body.Str("code"));
        }
    }
}
