using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Connections.Security;
using ZinTrust.Workers.Abstractions.Security;
using ZinTrust.Workers.Client;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the ZinTrust workers client.</summary>
public static class WorkersClientExtensions
{
    /// <summary>
    /// Connects an Orleans client to the cluster and registers <see cref="IWorkerManager"/>, <see cref="IDatacenters"/>,
    /// <see cref="ISchedules"/>, <see cref="IClusterMonitoring"/>, <see cref="IJobQueueFactory"/> and <see cref="IJobFlows"/>. The client finds the cluster
    /// through <paramref name="clustering"/> when given (for example <c>c => c.UseZinTrustPostgresMembership(connectionString)</c>
    /// from the ZinTrust.Workers.Client.PostgreSql package, or <c>c => c.UseStaticClustering(…)</c>), else at a localhost
    /// silo's gateway on <see cref="WorkersClientOptions.GatewayPort"/>.
    /// </summary>
    /// <remarks>
    /// <paramref name="configure"/> runs once here (the connection settings shape the Orleans client, so they are
    /// validated at once and an invalid one throws <see cref="OptionsValidationException"/>) and again whenever the
    /// options are built.
    /// </remarks>
    public static IHostApplicationBuilder AddZinTrustWorkersClient(this IHostApplicationBuilder builder, Action<WorkersClientOptions>? configure = null, Action<IClientBuilder>? clustering = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new WorkersClientOptions();
        configure?.Invoke(options);
        if (new WorkersClientOptionsValidator().Validate(Options.Options.DefaultName, options) is { Failed: true } invalid)
        {
            throw new OptionsValidationException(Options.Options.DefaultName, typeof(WorkersClientOptions), invalid.Failures);
        }

        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = options.ServiceId;
                o.ClusterId = options.ClusterId;
            });
            // The application's spans reach into the cluster when it listens to ZinTrust.Workers and Microsoft.Orleans.*
            // (without a listener a call costs one check).
            client.AddActivityPropagation();
            if (options.Tls is { } tls)
            {
                client.UseTls(o =>
                {
                    o.LocalCertificate = tls.Certificate;
                    o.ClientCertificateMode = tls.Certificate is null ? RemoteCertificateMode.AllowCertificate : RemoteCertificateMode.RequireCertificate;
                    o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                    var authorities = tls.TrustedAuthorities;
                    o.RemoteCertificateValidation = (certificate, _, errors) => TransportCertificates.IsTrusted(certificate, authorities, errors);
                });
            }

            if (clustering is not null)
            {
                clustering(client);
            }
            else
            {
                client.UseLocalhostClustering(options.GatewayPort);
            }
        });
        builder.Services.AddZinTrustWorkersClientServices(configure);
        return builder;
    }

    /// <summary>
    /// Registers the client services over an <see cref="IClusterClient"/> the application already has: options
    /// (validated at start), <see cref="IWorkerManager"/>, <see cref="IDatacenters"/>, <see cref="ISchedules"/>, <see cref="IClusterMonitoring"/>, <see cref="IJobQueueFactory"/>, <see cref="IJobFlows"/>. Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddZinTrustWorkersClientServices(this IServiceCollection services, Action<WorkersClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<WorkersClientOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkersClientOptions>, WorkersClientOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EnqueueRetry>();
        services.TryAddSingleton<JobResultWaiter>();
        services.TryAddSingleton<ClientEnqueueBatchers>();
        services.TryAddSingleton<IWorkerManager, WorkerManager>();
        services.TryAddSingleton<IDatacenters, Datacenters>();
        services.TryAddSingleton<ISchedules, Schedules>();
        services.TryAddSingleton<IClusterMonitoring, ClusterMonitoring>();
        services.TryAddSingleton<IJobQueueFactory, JobQueueFactory>();
        services.TryAddSingleton<IJobFlows, JobFlowsClient>();
        return services;
    }

    /// <summary>Registers <see cref="IJobQueue{TPayload}"/> for one queue, so a class can take it in its constructor; one queue per
    /// payload type (for more, take <see cref="IJobQueueFactory"/>). Call after <c>AddZinTrustWorkersClient</c>.</summary>
    public static IServiceCollection AddJobQueue<TPayload>(this IServiceCollection services, string queueName)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (ZinTrust.Workers.Abstractions.WorkerValidation.CheckQueueName(queueName) is { } error)
        {
            throw error.ToException();
        }

        services.AddSingleton(sp => sp.GetRequiredService<IJobQueueFactory>().Get<TPayload>(queueName));
        return services;
    }
}
