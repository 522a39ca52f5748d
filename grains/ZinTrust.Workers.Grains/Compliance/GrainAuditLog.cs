using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The <see cref="IAuditLog"/> of every silo: sends each record to the audit log grain and waits until it is durable (bounded by
/// <see cref="AuditLogOptions.AppendTimeout"/>). It never throws: a record that could not be written is logged (its action and
/// actor, never its details) and counted in <c>zintrust.audit.append_failures</c>, and the caller goes on. With
/// <see cref="AuditLogOptions.Enabled"/> off it records nothing.
/// </summary>
internal sealed partial class GrainAuditLog(IGrainFactory grains, IOptions<AuditLogOptions> options, ILogger<GrainAuditLog> logger) : IAuditLog
{
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
                await grains.GetGrain<IAuditLogGrain>(0).Append([record]).WaitAsync(options.Value.AppendTimeout, cancellationToken);
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
