using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>
/// The compliance controls' settings: encryption at rest (WORKER_ENCRYPTION, WORKER_ENCRYPTION_KEYS_FILE or
/// WORKER_ENCRYPTION_KEYS), retention (WORKER_DATA_RETENTION) and the GDPR, HIPAA and SOC2 flags, each of which requires a
/// documented set of controls (<see cref="Check"/>); the audit log's own settings are <see cref="HostSettings.Audit"/>.
/// </summary>
public sealed class ComplianceSettings
{
    /// <summary>The key ring (WORKER_ENCRYPTION_KEYS_FILE, else WORKER_ENCRYPTION_KEYS as the ring's JSON); null: none given.</summary>
    public EncryptionKeyRing? KeyRing { get; set; }

    /// <summary>WORKER_ENCRYPTION: true requires a ring (outside Development: start-up stops without one); false writes new
    /// data in plaintext (a ring still decrypts what was written under it). Unset: on exactly when a ring is given.</summary>
    public bool? EncryptionRequested { get; set; }

    /// <summary>Whether new payloads, results, errors and log lines are encrypted.</summary>
    public bool Encrypting => KeyRing is not null && EncryptionRequested != false;

    /// <summary>The longest WORKER_DATA_RETENTION.</summary>
    public const int MaxRetentionDays = 36_500;

    /// <summary>WORKER_DATA_RETENTION: days finished jobs and dead letters are kept (0: no age limit). Default: 90.</summary>
    public int RetentionDays { get; set; } = 90;

    /// <summary>WORKER_GDPR: requires the audit log and retention. Default: false.</summary>
    public bool Gdpr { get; set; }

    /// <summary>WORKER_HIPAA: requires encryption at rest, the audit log, retention and (outside Development) TLS. Default: false.</summary>
    public bool Hipaa { get; set; }

    /// <summary>WORKER_SOC2: requires the audit log. Default: true (the original system's).</summary>
    public bool Soc2 { get; set; } = true;

    /// <summary>WORKER_ENCRYPTION=true without a ring in Development: the host runs without encryption and says so.</summary>
    public bool EncryptionUnavailable => EncryptionRequested == true && KeyRing is null;

    /// <summary>The key ring from WORKER_ENCRYPTION_KEYS_FILE or WORKER_ENCRYPTION_KEYS (the flags and days are read with the
    /// host's other variables); a problem names the variable, never a key.</summary>
    internal static ComplianceSettings ReadKeyRing(IConfiguration configuration, List<string> problems)
    {
        var settings = new ComplianceSettings();
        var file = configuration["WORKER_ENCRYPTION_KEYS_FILE"] is { Length: > 0 } path ? path.Trim() : null;
        var inline = configuration["WORKER_ENCRYPTION_KEYS"] is { Length: > 0 } json ? json : null;
        if (file is not null && inline is not null)
        {
            problems.Add("WORKER_ENCRYPTION_KEYS_FILE: set either the key ring's file or WORKER_ENCRYPTION_KEYS (its JSON), not both.");
        }
        else if (file is not null)
        {
            settings.KeyRing = EncryptionKeyRing.Load(file, out var problem);
            if (problem is not null)
            {
                problems.Add($"WORKER_ENCRYPTION_KEYS_FILE: {problem} Make one with: encryption-key --id k1 --out {file}");
            }
        }
        else if (inline is not null)
        {
            settings.KeyRing = EncryptionKeyRing.Parse(inline, out var problem);
            if (problem is not null)
            {
                problems.Add($"WORKER_ENCRYPTION_KEYS: the key ring is not usable: {problem}");
            }
        }

        return settings;
    }

    /// <summary>The rules that depend on the environment and on the other settings: a flag whose controls are off, or
    /// encryption asked for without a ring, stops start-up (each problem names the setting to fix).</summary>
    internal static void Check(HostSettings host, bool development, List<string> problems)
    {
        var settings = host.Compliance;
        var audit = host.Audit.Enabled;
        if (settings.RetentionDays > MaxRetentionDays)
        {
            problems.Add($"WORKER_DATA_RETENTION: {settings.RetentionDays} days is over {MaxRetentionDays} (100 years); 0 turns retention off.");
        }

        if (settings.EncryptionRequested == true && settings.KeyRing is null && (!development || settings.Hipaa))
        {
            problems.Add("WORKER_ENCRYPTION: encryption at rest is on but no key ring is configured; set WORKER_ENCRYPTION_KEYS_FILE (make one with: encryption-key --id k1 --out keys.json).");
        }

        foreach (var (flag, on) in new[] { ("WORKER_GDPR", settings.Gdpr), ("WORKER_HIPAA", settings.Hipaa), ("WORKER_SOC2", settings.Soc2) })
        {
            if (on && !audit)
            {
                problems.Add($"{flag}: requires the audit log; WORKER_AUDIT_LOG is false (set {flag}=false to run without it).");
            }
        }

        foreach (var (flag, on) in new[] { ("WORKER_GDPR", settings.Gdpr), ("WORKER_HIPAA", settings.Hipaa) })
        {
            if (on && settings.RetentionDays == 0)
            {
                problems.Add($"{flag}: requires retention; WORKER_DATA_RETENTION is 0 (set the days finished jobs are kept).");
            }
        }

        if (settings.Hipaa)
        {
            if (!settings.Encrypting)
            {
                problems.Add("WORKER_HIPAA: requires encryption at rest; set WORKER_ENCRYPTION_KEYS_FILE (and leave WORKER_ENCRYPTION unset or true).");
            }

            if (!development && host.ApiCertificate is null && !IsLoopback(host.HttpHost))
            {
                problems.Add("WORKER_HIPAA: the REST API listens beyond this machine over plain HTTP; set WORKER_API_CERTIFICATE (or bind WORKER_API_HOST to loopback behind a TLS proxy).");
            }

            if (!development && host.Tls is null && host.ClusterDriver != "localhost")
            {
                problems.Add("WORKER_HIPAA: silos talk over plain TCP; set SILO_TLS_CERTIFICATE (or SILO_TLS_THUMBPRINT) and SILO_TLS_CA.");
            }
        }
    }

    private static bool IsLoopback(string host) =>
        host is "localhost" || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));
}
