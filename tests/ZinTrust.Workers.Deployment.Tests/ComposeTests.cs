using System.Globalization;
using System.Text.RegularExpressions;

namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>infra/docker/docker-compose.yml, parsed: what the cluster in containers is made of and how it starts and stops.</summary>
public sealed partial class ComposeTests
{
    private static readonly string[] Backends = ["redis", "postgres"];

    private readonly ComposeFile compose = ComposeFile.Load();

    [Fact]
    public void Compose_RunsThreeSilos_OfTheImageBuiltFromTheRepositorysDockerfile()
    {
        Assert.Equal(3, compose.Silos.Count);
        var composeFolder = Path.GetDirectoryName(ComposeFile.DefaultPath)!;
        var images = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in compose.HostServices)
        {
            var service = compose.Service(name);
            var context = Path.GetFullPath(Path.Combine(composeFolder, service.StringAt("build", "context")));
            Assert.Equal(Repository.Root.TrimEnd(Path.DirectorySeparatorChar), context.TrimEnd(Path.DirectorySeparatorChar));
            Assert.Equal(Dockerfile.DefaultPath, Path.GetFullPath(Path.Combine(context, service.StringAt("build", "dockerfile"))));
            images.Add(service.StringAt("image"));
        }

        Assert.Single(images);   // the migration and the silos run one build
    }

    [Fact]
    public void Compose_MigratesOnce_BeforeAnySiloStarts_AndOnlyOnHealthyBackends()
    {
        var migration = Assert.Single(compose.HostServices, compose.IsMigration);
        Assert.Equal(["migrate"], compose.Command(migration));
        Assert.Equal("no", compose.Service(migration).StringAt("restart"));
        Assert.Equal("service_healthy", compose.DependsOn(migration).GetValueOrDefault("postgres"));

        foreach (var silo in compose.Silos)
        {
            var dependsOn = compose.DependsOn(silo);
            Assert.Equal("service_completed_successfully", dependsOn.GetValueOrDefault(migration));
            foreach (var backend in Backends)
            {
                Assert.True(dependsOn.GetValueOrDefault(backend) == "service_healthy", $"{silo} should wait for {backend} to be healthy.");
            }
        }
    }

    [Fact]
    public void Compose_RunsRedisWithAnAppendOnlyFileSyncedEverySecond_AndChecksBothBackends()
    {
        var command = string.Join(' ', compose.Command("redis"));
        Assert.Contains("--appendonly yes", command, StringComparison.Ordinal);
        Assert.Contains("--appendfsync everysec", command, StringComparison.Ordinal);
        foreach (var backend in Backends)
        {
            Assert.True(compose.Service(backend).At("healthcheck", "test") is not null, $"{backend} needs a healthcheck: the silos wait for it.");
        }
    }

    [Fact]
    public void Compose_SilosAdvertiseTheirServiceName_OverPostgresMembership()
    {
        foreach (var name in compose.HostServices)
        {
            var env = compose.Environment(name);
            Assert.Equal("postgres", env.GetValueOrDefault("CLUSTER_DRIVER"));   // anything but loopback needs it
            Assert.Equal("redis", env.GetValueOrDefault("QUEUE_DRIVER"));
            Assert.Contains(env.GetValueOrDefault("WORKER_PERSISTENCE_DRIVER"), new[] { "db", "redis" });
            var connection = env.GetValueOrDefault("CLUSTER_DB_CONNECTION", "default");
            Assert.True(env.ContainsKey($"ConnectionStrings__{connection}"), $"{name}: CLUSTER_DRIVER=postgres needs ConnectionStrings__{connection}.");
        }

        foreach (var silo in compose.Silos)
        {
            Assert.Equal(silo, compose.Environment(silo).GetValueOrDefault("SILO_ADVERTISED_IP"));
        }
    }

    [Fact]
    public void Compose_SetsOnlyDocumentedVariables_OnTheHost()
    {
        var reference = ConfigurationReference.Load();
        foreach (var name in compose.HostServices)
        {
            foreach (var variable in compose.Environment(name).Keys)
            {
                Assert.True(reference.Documents(variable), $"{name}: {variable} is not in {ConfigurationReference.Path}.");
            }
        }
    }

    [Fact]
    public void Compose_CommitsNoSecret_AndRequiresEachFromTheEnvironment()
    {
        foreach (var name in compose.HostServices)
        {
            var env = compose.Environment(name);
            Assert.Matches(RequiredVariable(), env.GetValueOrDefault("WORKER_API_KEYS", ""));
            if (env.TryGetValue("REDIS_PASSWORD", out var redisPassword))
            {
                Assert.Matches(RequiredVariable(), redisPassword);
            }

            foreach (var (variable, value) in env.Where(e => e.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal)))
            {
                var password = PasswordPart().Match(value);
                Assert.True(password.Success, $"{name}: {variable} should name its password (as a required variable).");
                Assert.Matches(RequiredVariable(), password.Groups[1].Value);
            }
        }

        Assert.Matches(RequiredVariable(), compose.Service("postgres").StringAt("environment", "POSTGRES_PASSWORD"));
    }

    [Fact]
    public void Compose_PublishesEachSilosHttpPort_OnLoopback_OnPorts7777To7779()
    {
        var image = Dockerfile.Load().Runtime.Environment;
        var published = new List<int>();
        foreach (var silo in compose.Silos)
        {
            var port = int.Parse(compose.Environment(silo).GetValueOrDefault("PORT") ?? image["PORT"], CultureInfo.InvariantCulture);
            var mapping = Assert.Single(compose.Ports(silo));
            Assert.Equal("127.0.0.1", mapping.HostIp);
            Assert.Equal(port, mapping.Target);
            published.Add(mapping.Published);
        }

        Assert.Equal([7777, 7778, 7779], published.Order());
    }

    [Fact]
    public void Compose_GivesEachSiloLongerToStopThanTheHostMayTake()
    {
        foreach (var silo in compose.Silos)
        {
            var grace = ComposeFile.Duration(compose.Service(silo).StringAt("stop_grace_period"));
            Assert.True(grace > ShutdownBudget.Longest, $"{silo}: stop_grace_period {grace} should exceed the host's stop ({ShutdownBudget.Longest}; drain {ShutdownBudget.Drain}).");
        }
    }

    [Fact]
    public void Compose_ChecksSiloLiveness_WithoutCurl()
    {
        foreach (var silo in compose.Silos)
        {
            var test = ComposeHealthcheck(compose, silo);
            Assert.Equal(["CMD", "bash", "-c"], test[..3]);
            Assert.Contains("/health/live", test[3], StringComparison.Ordinal);
        }
    }

    /// <summary>A silo's healthcheck command as the container runs it (compose's "$$" unescaped).</summary>
    public static string[] ComposeHealthcheck(ComposeFile compose, string silo)
    {
        ArgumentNullException.ThrowIfNull(compose);
        var test = compose.Service(silo).ListAt("healthcheck", "test").Select(w => ComposeFile.Unescape(Yaml.AsString(w, "healthcheck.test"))).ToArray();
        Assert.DoesNotContain(test, w => w.Contains("curl", StringComparison.Ordinal) || w.Contains("wget", StringComparison.Ordinal));
        return test;
    }

    /// <summary>${NAME:?message}: compose stops with the message when NAME is unset or empty.</summary>
    [GeneratedRegex(@"^\$\{[A-Z][A-Z0-9_]*:\?[^}]+\}$")]
    private static partial Regex RequiredVariable();

    [GeneratedRegex("Password=([^;]*)", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPart();
}
