namespace ZinTrust.Workers.AppHost.Hosting;

/// <summary>Wires a project resource running the shipped host as one silo of the cluster.</summary>
public static class WorkersSiloExtensions
{
    /// <summary>The REST facade's endpoint (PORT), the one the readiness check and the dashboard's links use.</summary>
    public const string HttpEndpoint = "http";

    /// <summary>
    /// Sets the silo's documented environment variables (docs/configuration.md) from <paramref name="backends"/>, gives
    /// it its own PORT, SILO_PORT and GATEWAY_PORT, and checks its <c>/health/ready</c>. Nothing else configures it:
    /// the silo runs as <c>infra/cluster.sh</c> runs it, with Aspire choosing the ports.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithWorkersSilo(this IResourceBuilder<ProjectResource> silo, SiloBackends backends)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(backends);
        var redis = backends.Redis.Resource;

        // Development as `dotnet run` of the silo has it: the console's session cookie is not marked Secure (the proxy
        // serves plain http) and the API reference is public. API keys are required all the same: they are given.
        silo.WithEnvironment("DOTNET_ENVIRONMENT", "Development")
            .WithEnvironment("CLUSTER_DRIVER", "postgres")
            .WithEnvironment("CLUSTER_ID", backends.ClusterId)
            .WithEnvironment("SERVICE_ID", backends.ServiceId)
            .WithEnvironment("WORKER_PERSISTENCE_DRIVER", "db")
            .WithEnvironment("ConnectionStrings__default", backends.Database)
            .WithEnvironment("QUEUE_DRIVER", "redis")
            .WithEnvironment("REDIS_HOST", redis.Host)
            .WithEnvironment("REDIS_PORT", redis.Port)
            .WithReferenceRelationship(redis)
            .WithEnvironment(context =>
            {
                // Read when the silo starts, as Aspire's Redis container reads it: AddRedis makes a password by default.
                if (redis.PasswordParameter is { } password)
                {
                    context.EnvironmentVariables["REDIS_PASSWORD"] = password;
                }
            })
            .WithEnvironment("WORKER_API_KEYS", backends.ApiKeys);

        // All silos share this host, so each needs ports of its own. Silo-to-silo and gateway traffic goes to the
        // address each silo publishes in the membership table, so those two are not proxied: the silo listens on the
        // port Aspire picked. The REST facade is proxied as usual (PORT is the port behind the proxy); the facade
        // binds localhost (both loopbacks) so that the proxy reaches it whichever one it dials.
        silo.WithHttpEndpoint(name: HttpEndpoint, env: "PORT")
            .WithEnvironment("WORKER_API_HOST", "localhost")
            .WithEndpoint(scheme: "tcp", name: "orleans-silo", env: "SILO_PORT", isProxied: false)
            .WithEndpoint(scheme: "tcp", name: "orleans-gateway", env: "GATEWAY_PORT", isProxied: false)
            .WithUrlForEndpoint(HttpEndpoint, _ => new ResourceUrlAnnotation { Url = "/ui/", DisplayText = "Console" });

        // Traces and metrics to the Aspire dashboard: the silo exports only when WORKER_OPENTELEMETRY_ENABLED is set,
        // to WORKER_OPENTELEMETRY_ENDPOINT; Aspire has put its OTLP endpoint (and protocol, headers) in the OTEL_*
        // variables by the time this runs.
        silo.WithEnvironment(context =>
        {
            if (context.EnvironmentVariables.TryGetValue("OTEL_EXPORTER_OTLP_ENDPOINT", out var otlp))
            {
                context.EnvironmentVariables["WORKER_OPENTELEMETRY_ENABLED"] = "true";
                context.EnvironmentVariables["WORKER_OPENTELEMETRY_ENDPOINT"] = otlp;
            }
        });

        // /health/ready answers probes without a key (the verdict only): healthy once the silo is an active member
        // of the cluster and its backends answer.
        return silo.WithHttpHealthCheck("/health/ready", endpointName: HttpEndpoint);
    }
}
