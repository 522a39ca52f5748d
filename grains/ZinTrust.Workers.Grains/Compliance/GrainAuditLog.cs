using ZinTrust.Workers.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The <see cref="IAuditLog"/> of every silo: sends each record to the audit log grain and waits until it is durable (bounded by
/// <see cref="AuditLogOptions.AppendTimeout"/>). It never throws: a record that could not be written is logged (its action and
/// actor, never its details) and counted in <c>zintrust.audit.append_failures</c>, and the caller goes on. With
/// <see cref="AuditLogOptions.Enabled"/> off it records nothing.
/// </summary>
/// <remarks>Concurrent appends of this silo share calls to the log's single writer (a <see cref="CallBatcher{TItem, TOutcome}"/>: no
/// timer, at most 4 calls on their way, up to <see cref="AuditLogOptions.MaxBatch"/> records each), so a busy API costs the writer one
/// message per group of requests rather than one per request. Each caller still waits for its own record to be durable.</remarks>
internal sealed partial class GrainAuditLog : IAuditLog
{
    private readonly IOptions<AuditLogOptions> options;
    private readonly ILogger<GrainAuditLog> logger;
    private readonly CallBatcher<AuditRecord, bool> appends;

    public GrainAuditLog(IGrainFactory grains, IOptions<AuditLogOptions> options, ILogger<GrainAuditLog> logger)
    {
        this.options = options;
        this.logger = logger;
        appends = new CallBatcher<AuditRecord, bool>(
            async records =>
            {
                await grains.GetGrain<IAuditLogGrain>(0).Append(records).ConfigureAwait(false);
                return [.. records.Select(static _ => true)];
            },
            static _ => 1,
            maxJobs: Math.Clamp(options.Value.MaxBatch, 1, 10_000),
            maxBytes: long.MaxValue,
            maxInFlight: 4);
    }

    public async ValueTask AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!options.Value.Enabled)
        {
            return;
        }

        var record = AuditRecord.From(entry);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await appends.SendAsync(record).WaitAsync(options.Value.AppendTimeout, cancellationToken);
                return;
            }
            catch (AuditStoreFencedException) when (attempt == 1)
            {
                // Refused whole by a writer that lost its claim: nothing was stored, so sending it again cannot record it twice.
            }
            catch (Exception ex)
            {
                WorkersInstruments.AuditFailures.Add(1);
                LogAppendFailed(logger, entry.Action, entry.Actor, ex);
                return;
            }
        }
    }

    [LoggerMessage(8510, LogLevel.Error, "Audit log: the record of {Action} by {Actor} could not be written; the action went on")]
    private static partial void LogAppendFailed(ILogger logger, string action, string actor, Exception exception);
}
