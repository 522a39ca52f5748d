using ZinTrust.Workers.AppHost.Hosting;

// A local ZinTrust workers cluster, as infra/cluster.sh starts it but in containers and under the Aspire dashboard:
// Redis (jobs, worker state keys, reminders), PostgreSQL (membership, worker state), the migrations once, then three
// silos of the shipped host wired only through the environment variables of docs/configuration.md.
var builder = DistributedApplication.CreateBuilder(args);

var apiKeys = builder.AddParameter("worker-api-keys", secret: true)
    .WithDescription(
        "WORKER_API_KEYS of every silo: `name:role:sha256:hex` entries separated by `;`. Make one with "
        + "`dotnet run --project silo/ZinTrust.Workers.Silo -- apikey --name NAME --role admin`.",
        enableMarkdown: true);
var clusterId = builder.AddParameter("cluster-id")
    .WithDescription("CLUSTER_ID: silos with the same id (and the same PostgreSQL) form one cluster.");
var serviceId = builder.AddParameter("service-id")
    .WithDescription("SERVICE_ID: grain state and reminders are keyed by it; keep it to keep them.");

// Aspire's Orleans model names the cluster. Only its ids are used: its clustering providers (Redis, Azure) are not
// the ADO.NET/PostgreSQL membership the silo configures from CLUSTER_DRIVER, and WithReference would hand the silo
// Orleans__* settings that Orleans reads besides ours (see docs/aspire.md).
builder.AddOrleans("zintrust-workers")
    .WithClusterId(clusterId)
    .WithServiceId(serviceId);

var redis = builder.AddRedis("redis");
#pragma warning disable ASPIRECERTIFICATES001 // Experimental in Aspire 13; needed so REDIS_HOST/REDIS_PORT stay plain TCP.
// With a developer certificate Aspire would move Redis' primary endpoint to TLS; the silo has no Redis TLS setting.
redis.WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
// Jobs survive a restart of the AppHost: the data volume keeps Redis' snapshots, taken every 10 s after any write
// (infra/redis.sh uses an append-only file instead; a killed container can lose the last 10 s here).
redis.WithDataVolume().WithPersistence(TimeSpan.FromSeconds(10), keysChangedThreshold: 1);

var database = builder.AddPostgres("postgres")
    .WithDataVolume()
    .AddDatabase("zintrust");

// `ZinTrust.Workers.Silo migrate` applies the PostgreSQL migrations and exits; the silos start once it exited with 0.
// No launch profile, here or for the silos: everything the host gets is set below.
var migrations = builder.AddProject<Projects.ZinTrust_Workers_Silo>("migrations", launchProfileName: null)
    .WithArgs("migrate")
    .WithEnvironment("ConnectionStrings__default", database)
    .WaitFor(database);

var backends = new SiloBackends(redis, database, clusterId, serviceId, apiKeys);
string[] silos = ["silo-0", "silo-1", "silo-2"];
foreach (var name in silos)
{
    builder.AddProject<Projects.ZinTrust_Workers_Silo>(name, launchProfileName: null)
        .WithWorkersSilo(backends)
        .WaitFor(redis)
        .WaitFor(database)
        .WaitForCompletion(migrations);
}

builder.Build().Run();
