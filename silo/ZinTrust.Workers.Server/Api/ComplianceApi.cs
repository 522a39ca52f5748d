using Microsoft.AspNetCore.Http.HttpResults;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>Compliance (/api/compliance): the controls' status, a data subject's erasure, re-encryption and retention on demand.</summary>
public static class ComplianceApi
{
    /// <summary>Longest data subject id.</summary>
    public const int MaxSubjectLength = 256;

    public static RouteGroupBuilder MapComplianceApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup("/api/compliance").WithTags("Compliance").RequireAuthorization(ApiSecurity.Viewer)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/status", Status)
            .WithSummary("Encryption at rest (keys, encryptions per key, the re-encryption sweep), the audit log, retention, and the GDPR/HIPAA/SOC2 flags with the controls each requires");
        group.MapDelete("/subjects/{subject}", Erase)
            .WithSummary("Erase a data subject's personal data in every queue: unsettled jobs are cancelled, completed and cancelled ones anonymised, dead letters deleted")
            .ProducesProblem(StatusCodes.Status400BadRequest).RequireAuthorization(ApiSecurity.Admin);
        group.MapPost("/encryption/reencrypt", Reencrypt)
            .WithSummary("Start rewriting every stored job under the active key (a rotation does this by itself within the sweep interval)")
            .ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(ApiSecurity.Admin);
        group.MapPost("/retention/run", RunRetention)
            .WithSummary("Delete finished jobs and dead letters older than WORKER_DATA_RETENTION now (the reminder does this every sweep interval)")
            .ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(ApiSecurity.Admin);
        return group;
    }

    /// <summary>1..256 printable characters.</summary>
    public static void ThrowIfInvalidSubject(string? subject, string field)
    {
        if (string.IsNullOrWhiteSpace(subject) || subject.Length > MaxSubjectLength || subject.Any(char.IsControl))
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidDataSubject, $"{field} must be 1..{MaxSubjectLength} printable characters.");
        }
    }

    private static async Task<Ok<ComplianceStatusResponse>> Status(IGrainFactory grains, HostSettings settings, IServiceProvider services)
    {
        var compliance = settings.Compliance;
        var sweeps = await grains.GetGrain<IComplianceGrain>(0).GetStatus();
        var ring = services.GetService<PayloadCipher>()?.Ring;
        var keys = ring is null ? [] : ring.KeyIds.Select(id =>
        {
            var count = sweeps.Encryptions.GetValueOrDefault(id);
            var created = ring.CreatedAt(id);
            return new EncryptionKeyResponse(id, id == ring.ActiveKeyId, created == DateTimeOffset.MinValue ? null : created, count, count >= EncryptionLimits.WarnAtEncryptions);
        }).ToArray();
        var encryption = new EncryptionStatusResponse(
            compliance.Encrypting, compliance.EncryptionRequested ?? compliance.KeyRing is not null, ring is null ? null : "AES-256-GCM",
            ring?.ActiveKeyId, keys, EncryptionLimits.WarnAtEncryptions, sweeps.Sweep is { } s ? ToResponse(s) : null);
        var controls = new List<ComplianceControlResponse>
        {
            Control("encryption-at-rest", compliance.Encrypting, compliance, hipaa: true),
            Control("audit-log", settings.Audit.Enabled, compliance, gdpr: true, hipaa: true, soc2: true),
            Control("retention", compliance.RetentionDays > 0, compliance, gdpr: true, hipaa: true),
            Control("api-keys-and-roles", true, compliance, soc2: true),
            Control("api-https", settings.ApiCertificate is not null, compliance, hipaa: true),
            Control("cluster-tls", settings.Tls is not null, compliance, hipaa: true),
            Control("data-subject-erasure", true, compliance, gdpr: true),
        };
        return TypedResults.Ok(new ComplianceStatusResponse(
            true,
            new ComplianceFlagsResponse(compliance.Gdpr, compliance.Hipaa, compliance.Soc2),
            encryption,
            new AuditLogStatusResponse(settings.Audit.Enabled),
            new RetentionStatusResponse(compliance.RetentionDays, compliance.RetentionDays > 0, sweeps.Retention is { } r ? ToResponse(r) : null),
            controls));
    }

    private static async Task<Ok<SubjectErasureResponse>> Erase(string subject, IGrainFactory grains)
    {
        ThrowIfInvalidSubject(subject, "subject");
        var erased = await grains.GetGrain<IComplianceGrain>(0).EraseSubject(subject);
        return TypedResults.Ok(new SubjectErasureResponse(true, erased.Queues, erased.Jobs, erased.Cancelled, erased.Anonymised, erased.Deleted));
    }

    private static async Task<Accepted<EncryptionSweepStartedResponse>> Reencrypt(IGrainFactory grains) =>
        TypedResults.Accepted("/api/compliance/status", new EncryptionSweepStartedResponse(true, ToResponse(await grains.GetGrain<IComplianceGrain>(0).StartReencryption())));

    private static async Task<Ok<RetentionRunResultResponse>> RunRetention(IGrainFactory grains) =>
        TypedResults.Ok(new RetentionRunResultResponse(true, ToResponse(await grains.GetGrain<IComplianceGrain>(0).RunRetention())));

    private static ComplianceControlResponse Control(string name, bool active, ComplianceSettings flags, bool gdpr = false, bool hipaa = false, bool soc2 = false)
    {
        var by = new List<string>();
        if (gdpr && flags.Gdpr)
        {
            by.Add("gdpr");
        }

        if (hipaa && flags.Hipaa)
        {
            by.Add("hipaa");
        }

        if (soc2 && flags.Soc2)
        {
            by.Add("soc2");
        }

        return new ComplianceControlResponse(name, active, by);
    }

    private static EncryptionSweepResponse ToResponse(EncryptionSweep s) =>
        new(s.KeyId, s.StartedAt, s.FinishedAt, s.QueuesTotal, s.QueuesDone, s.Records, s.FailedQueues);

    private static RetentionRunResponse ToResponse(RetentionRun r) => new(r.At, r.Cutoff, r.Queues, r.Deleted, r.FailedQueues);
}
