using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using ZinTrust.Workers.Client;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the ZinTrust workers client.</summary>
public static class WorkersClientExtensions
{
    /// <summary>Connects an Orleans client to a localhost silo and registers <see cref="IWorkerManager"/> and <see cref="IJobQueueFactory"/>.</summary>
    public static IHostApplicationBuilder AddZinTrustWorkersClient(this IHostApplicationBuilder builder, Action<WorkersClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new WorkersClientOptions();
        configure?.Invoke(options);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = options.ServiceId;
                o.ClusterId = options.ClusterId;
            });
            if (options.MembershipConnectionString is { Length: > 0 } connectionString)
            {
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = connectionString;
                });
            }
            else
            {
                client.UseLocalhostClustering(options.GatewayPort);
            }
        });
        builder.Services.AddZinTrustWorkersClientServices();
        return builder;
    }

    /// <summary>Registers the client services over an <see cref="IClusterClient"/> the application already has.</summary>
    public static IServiceCollection AddZinTrustWorkersClientServices(this IServiceCollection services)
    {
        services.TryAddSingleton<IWorkerManager, WorkerManager>();
        services.TryAddSingleton<IJobQueueFactory, JobQueueFactory>();
        return services;
    }
}
