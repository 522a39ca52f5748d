using System.Globalization;

namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>infra/k8s/*.yaml, parsed: the silo Deployment, its migration Job, settings, Service and disruption budget.</summary>
public sealed class KubernetesTests
{
    private readonly KubernetesManifests k8s = KubernetesManifests.Load();

    [Fact]
    public void Deployment_RunsThreeSilos_OfTheImageTheMigrationJobRuns()
    {
        Assert.Equal("3", k8s.Deployment.StringAt("spec", "replicas"));
        var job = Assert.Single(k8s.Job.ListAt("spec", "template", "spec", "containers"));
        Assert.Equal(k8s.SiloContainer.StringAt("image"), job.StringAt("image"));
        Assert.Null(job.At("command"));   // the image's entrypoint, given the migrate command
        Assert.Equal(["migrate"], job.ListAt("args").Select(a => Yaml.AsString(a, "args")));
        Assert.Contains(k8s.Job.StringAt("spec", "template", "spec", "restartPolicy"), new[] { "Never", "OnFailure" });
    }

    [Fact]
    public void Deployment_AdvertisesEachPodsIp_OverPostgresMembership()
    {
        var advertised = Assert.Single(k8s.SiloContainer.ListAt("env"), e => e.At("name") as string == "SILO_ADVERTISED_IP");
        Assert.Equal("status.podIP", advertised.StringAt("valueFrom", "fieldRef", "fieldPath"));
        var data = k8s.ConfigMap.MapAt("data");
        Assert.Equal("postgres", data.StringAt("CLUSTER_DRIVER"));   // anything but loopback needs it
        var connection = data.At("CLUSTER_DB_CONNECTION") as string ?? "default";
        Assert.NotNull(k8s.Secret.At("stringData", $"ConnectionStrings__{connection}"));
    }

    [Fact]
    public void Deployment_ContainerPorts_AreTheConfiguredHttpSiloAndGatewayPorts()
    {
        var ports = k8s.SiloContainer.ListAt("ports").Select(p => int.Parse(p.StringAt("containerPort"), CultureInfo.InvariantCulture)).Order();
        Assert.Equal(new[] { k8s.ConfiguredPort("PORT"), k8s.ConfiguredPort("SILO_PORT"), k8s.ConfiguredPort("GATEWAY_PORT") }.Order(), ports);
    }

    [Fact]
    public void Deployment_ProbesReadinessAndLiveness_OverHttpOnTheApiPort()
    {
        var container = k8s.SiloContainer;
        var http = k8s.ConfiguredPort("PORT");
        foreach (var (probe, path) in new[] { ("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live"), ("startupProbe", "/health/live") })
        {
            if (probe == "startupProbe" && container.At(probe) is null)
            {
                continue;
            }

            Assert.Equal(path, container.StringAt(probe, "httpGet", "path"));
            Assert.Equal(http, KubernetesManifests.ResolvePort(container, container.At(probe, "httpGet", "port")));
        }

        // The host answers /health/ready without a key (PublishedHostTests shows it): no key is written into the manifest.
        Assert.Null(container.At("readinessProbe", "httpGet", "httpHeaders"));
    }

    [Fact]
    public void Deployment_GivesEachPodLongerToStopThanTheHostMayTake()
    {
        var grace = TimeSpan.FromSeconds(int.Parse(k8s.Deployment.StringAt("spec", "template", "spec", "terminationGracePeriodSeconds"), CultureInfo.InvariantCulture));
        Assert.True(grace > ShutdownBudget.Longest, $"terminationGracePeriodSeconds {grace} should exceed the host's stop ({ShutdownBudget.Longest}; drain {ShutdownBudget.Drain}).");
        Assert.Equal("0", k8s.Deployment.StringAt("spec", "strategy", "rollingUpdate", "maxUnavailable"));   // one silo at a time
    }

    [Fact]
    public void Pods_RunAsNonRoot_WithoutPrivilegeEscalation_WithinResourceBounds()
    {
        foreach (var workload in new[] { k8s.Deployment, k8s.Job })
        {
            var pod = workload.MapAt("spec", "template", "spec");
            foreach (var container in pod.ListAt("containers"))
            {
                var name = $"{workload.StringAt("kind")} {container.StringAt("name")}";
                var nonRoot = container.At("securityContext", "runAsNonRoot") ?? pod.At("securityContext", "runAsNonRoot");
                Assert.True(nonRoot as string == "true", $"{name}: runAsNonRoot should be true.");
                Assert.Equal("false", container.StringAt("securityContext", "allowPrivilegeEscalation"));
                foreach (var bound in new[] { "requests", "limits" })
                {
                    Assert.True(container.At("resources", bound, "cpu") is not null && container.At("resources", bound, "memory") is not null, $"{name}: resources.{bound} should set cpu and memory.");
                }
            }
        }
    }

    [Fact]
    public void Manifests_SetOnlyDocumentedVariables_FromTheirConfigMapAndSecret()
    {
        var reference = ConfigurationReference.Load();
        var names = k8s.ConfigMap.MapAt("data").Keys.Cast<string>()
            .Concat(k8s.Secret.MapAt("stringData").Keys.Cast<string>())
            .Concat(k8s.SiloContainer.ListAt("env").Select(e => e.StringAt("name")));
        foreach (var name in names)
        {
            Assert.True(reference.Documents(name), $"{name} is not in {ConfigurationReference.Path}.");
        }

        foreach (var workload in new[] { k8s.Deployment, k8s.Job })
        {
            foreach (var container in workload.ListAt("spec", "template", "spec", "containers"))
            {
                var from = container.ListAt("envFrom");
                Assert.Contains(from, f => f.At("configMapRef", "name") as string == k8s.ConfigMap.StringAt("metadata", "name"));
                Assert.Contains(from, f => f.At("secretRef", "name") as string == k8s.Secret.StringAt("metadata", "name"));
            }
        }
    }

    [Fact]
    public void Secret_HoldsPlaceholdersOnly()
    {
        Assert.Null(k8s.Secret.At("data"));   // base64 values could hide a real one
        foreach (var (key, value) in k8s.Secret.MapAt("stringData"))
        {
            Assert.True(Yaml.AsString(value, (string)key).Contains("REPLACE-ME", StringComparison.Ordinal), $"Secret {key} should be a placeholder.");
        }

        Assert.True(k8s.Secret.StringAt("stringData", "WORKER_API_KEYS") == "REPLACE-ME", "WORKER_API_KEYS should be a placeholder the host refuses.");
    }

    [Fact]
    public void Service_SendsHttpToTheSilos_AndTheBudgetCoversThem()
    {
        var podLabels = k8s.Deployment.MapAt("spec", "template", "metadata", "labels");
        var selector = k8s.Service.MapAt("spec", "selector");
        Assert.All(selector, s => Assert.Equal(s.Value, podLabels.At((string)s.Key)));
        Assert.Equal(k8s.Deployment.MapAt("spec", "selector", "matchLabels"), selector);

        var port = Assert.Single(k8s.Service.ListAt("spec", "ports"));
        Assert.Equal(k8s.ConfiguredPort("PORT"), int.Parse(port.StringAt("port"), CultureInfo.InvariantCulture));
        Assert.Equal(k8s.ConfiguredPort("PORT"), KubernetesManifests.ResolvePort(k8s.SiloContainer, port.At("targetPort")));

        var budget = k8s.ByKind("PodDisruptionBudget");
        Assert.Equal(k8s.Deployment.MapAt("spec", "selector", "matchLabels"), budget.MapAt("spec", "selector", "matchLabels"));
    }
}
