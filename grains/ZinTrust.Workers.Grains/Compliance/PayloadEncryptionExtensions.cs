using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace Orleans.Hosting;

/// <summary>Encryption at rest of job payloads, results, errors and log lines (<see cref="EncryptingJobStore"/>).</summary>
public static partial class PayloadEncryptionExtensions
{
    /// <summary>
    /// Wraps the job store registered so far in <see cref="EncryptingJobStore"/> with <paramref name="ring"/>: call it after the
    /// job store is chosen (<c>AddZinTrustRedisJobStore</c>, or the in-memory default of <c>AddZinTrustWorkers</c>). Also
    /// reports this silo's encryptions per key to the cluster every 30 seconds, for the GCM bound's warning.
    /// </summary>
    /// <param name="builder">The silo.</param>
    /// <param name="ring">The keys.</param>
    /// <param name="encryptNewData">False: what is written stays plaintext and the ring only decrypts what was written under it
    /// (turning encryption off without losing access to encrypted data).</param>
    public static ISiloBuilder AddZinTrustPayloadEncryption(this ISiloBuilder builder, EncryptionKeyRing ring, bool encryptNewData = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(ring);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(PayloadCipher)))
        {
            throw new InvalidOperationException("Payload encryption is already configured on this silo.");
        }

        var inner = services.LastOrDefault(d => d.ServiceType == typeof(IJobStore))
            ?? throw new InvalidOperationException("Choose the job store before AddZinTrustPayloadEncryption (AddZinTrustWorkers registers the in-memory one).");
        services.Remove(inner);
        services.AddSingleton(new PayloadCipher(ring));
        services.AddSingleton<IJobStore>(sp => new EncryptingJobStore(Create(sp, inner), sp.GetRequiredService<PayloadCipher>()) { EncryptsNewData = encryptNewData });
        services.AddHostedService<EncryptionUsageReporter>();
        return builder;
    }

    private static IJobStore Create(IServiceProvider services, ServiceDescriptor descriptor) => descriptor switch
    {
        { ImplementationInstance: IJobStore instance } => instance,
        { ImplementationFactory: { } factory } => (IJobStore)factory(services),
        { ImplementationType: { } type } => (IJobStore)ActivatorUtilities.CreateInstance(services, type),
        _ => throw new InvalidOperationException("The job store's registration is not supported."),
    };

    /// <summary>Every 30 s, and at shutdown: this silo's encryptions per key since the last report, to the compliance grain.
    /// A report that fails is kept and sent with the next.</summary>
    private sealed partial class EncryptionUsageReporter(PayloadCipher cipher, IGrainFactory grains, ILogger<EncryptionUsageReporter> logger) : BackgroundService
    {
        private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(Period);
            try
            {
                while (await timer.WaitForNextTickAsync(stoppingToken))
                {
                    await ReportAsync();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
        }

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            await base.StopAsync(cancellationToken);
            await ReportAsync();
        }

        private async Task ReportAsync()
        {
            var counts = cipher.TakeUsage();
            if (counts.Count == 0)
            {
                return;
            }

            try
            {
                await grains.GetGrain<IComplianceGrain>(0).ReportEncryptions(counts);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                cipher.ReturnUsage(counts);
                LogReportFailed(logger, ex);
            }
        }

        [LoggerMessage(8610, LogLevel.Debug, "Reporting encryption counts failed; they go with the next report")]
        private static partial void LogReportFailed(ILogger logger, Exception exception);
    }
}
