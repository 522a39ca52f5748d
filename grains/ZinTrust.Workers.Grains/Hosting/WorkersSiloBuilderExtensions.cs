using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace Orleans.Hosting;

/// <summary>Adds ZinTrust workers to a silo.</summary>
public static class WorkersSiloBuilderExtensions
{
    /// <summary>
    /// Adds the worker system: grains' services, the in-memory job store and in-process state storage (unless
    /// others are registered), start-up registration and auto-start, cluster-wide supervision, the plugin host, and the
    /// resource monitor with its per-silo samplers, and the audit log (in memory unless another store is registered). Safe to call more than once; each call may register more processors
    /// and plugins.
    /// </summary>
    public static ISiloBuilder AddZinTrustWorkers(this ISiloBuilder builder, Action<WorkersBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.Services.Any(d => d.ServiceType == typeof(SiloLocation)))
        {
            // The silo's region and zone reach the other silos as Orleans silo metadata (filled by WorkersBuilder.InRegion
            // before the silo starts: Orleans reads the dictionary when it builds its options).
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            builder.Services.AddSingleton(new SiloLocation(metadata));
            Orleans.Runtime.MembershipService.SiloMetadata.SiloMetadataHostingExtensions.UseSiloMetadata(builder, metadata);
        }

        builder.Services.AddZinTrustWorkers(configure);
        return builder;
    }

    /// <inheritdoc cref="AddZinTrustWorkers(ISiloBuilder, Action{WorkersBuilder}?)"/>
    public static IServiceCollection AddZinTrustWorkers(this IServiceCollection services, Action<WorkersBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var catalog = services.FirstOrDefault(d => d.ServiceType == typeof(ProcessorCatalog))?.ImplementationInstance as ProcessorCatalog;
        var seeds = services.FirstOrDefault(d => d.ServiceType == typeof(WorkerSeeds))?.ImplementationInstance as WorkerSeeds;
        var plugins = services.FirstOrDefault(d => d.ServiceType == typeof(PluginCatalog))?.ImplementationInstance as PluginCatalog;
        if (catalog is null || seeds is null || plugins is null)
        {
            catalog = new ProcessorCatalog();
            seeds = new WorkerSeeds();
            plugins = new PluginCatalog();
            services.AddSingleton(catalog);
            services.AddSingleton(seeds);
            services.AddSingleton(plugins);
            services.AddOptions<WorkersOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkersOptions>, WorkersOptionsValidator>());
            services.TryAddSingleton<IJobStore, InMemoryJobStore>();
            services.TryAddSingleton<IAuditStore, InMemoryAuditStore>();
            services.TryAddSingleton<IAuditLog, GrainAuditLog>();
            services.AddOptions<AuditLogOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditLogOptions>, AuditLogOptionsValidator>());
            services.TryAddKeyedSingleton(WorkersClock.Key, TimeProvider.System);
            services.TryAddSingleton<InProcessStateStore>();
            services.TryAddKeyedSingleton<IGrainStorage>(
                WorkersStorage.Name,
                static (sp, _) => new InProcessGrainStorage(sp.GetRequiredService<InProcessStateStore>(), sp.GetRequiredService<DeepCopier>()));
            services.TryAddSingleton(static _ => new SiloLocation([]));
            services.TryAddSingleton<RegionDirectory>();
            services.AddPlacementDirector<ReplicaSpreadPlacement, ReplicaSpreadPlacementDirector>();

            // Rolling upgrades: a silo of a newer release may serve calls made to an older interface version (interfaces only
            // ever gain methods), and any compatible silo may take an activation; calls to a newer version go to newer silos.
            services.Configure<Orleans.Configuration.GrainVersioningOptions>(o =>
            {
                o.DefaultCompatibilityStrategy = nameof(Orleans.Versions.Compatibility.BackwardCompatible);
                o.DefaultVersionSelectorStrategy = nameof(Orleans.Versions.Selector.AllCompatibleVersions);
            });
            services.AddOptions<ResourceMonitorOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ResourceMonitorOptions>, ResourceMonitorOptionsValidator>());
            services.AddOptions<CostOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CostOptions>, CostOptionsValidator>());
            services.AddOptions<AlertOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertOptions>, AlertOptionsValidator>());
            services.TryAddSingleton(AlertWebhookSeams.Default);
            services.AddSingleton<AlertWebhookSink>();
            services.AddSingleton<IAlertSink>(static sp => sp.GetRequiredService<AlertWebhookSink>());
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(static sp => sp.GetRequiredService<AlertWebhookSink>());
            services.AddOptions<ComplianceOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ComplianceOptions>, ComplianceOptionsValidator>());
            services.AddOptions<ProcessorSpecOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProcessorSpecOptions>, ProcessorSpecOptionsValidator>());
            services.TryAddSingleton(ProcessorFetchSeams.Default);
            services.TryAddSingleton<ProcessorSpecFetcher>();
            services.TryAddSingleton<ProcessorSpecCache>();
            services.TryAddSingleton<ProcessorSpecLoader>();
            services.TryAddSingleton<LocalReplicas>();
            services.TryAddSingleton<IIoCounters, ProcIoCounters>();
            services.TryAddSingleton<HealthProbe>();

            // The worker health checks' HTTP client: connections through the probe's address check, no redirects, proxy or
            // cookies, and no request logging (a check runs every interval; its outcome is the worker's health).
            services.AddHttpClient(HealthProbe.HttpClientName)
                .ConfigurePrimaryHttpMessageHandler(static _ => HealthProbe.CreateHandler())
                .ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan)
                .RemoveAllLoggers();
            services.TryAddSingleton<SiloResourceSampler>();
            services.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, WorkersStartup>();
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ClusterSupervisor>();
            services.AddOptions<PluginOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PluginOptions>, PluginOptionsValidator>());
            services.AddSingleton<JobEventFeed>();
            services.AddSingleton<IJobEventSink>(static sp => sp.GetRequiredService<JobEventFeed>());
            services.AddSingleton<JobEventDispatcher>();
            services.AddSingleton<JobPipeline>();
            services.AddSingleton<PluginHost>();
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(static sp => sp.GetRequiredService<PluginHost>());
        }

        configure?.Invoke(new WorkersBuilder(services, catalog, seeds, plugins));
        return services;
    }
}
