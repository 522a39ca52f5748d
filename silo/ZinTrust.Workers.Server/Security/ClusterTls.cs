using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;
using ZinTrust.Workers.Abstractions.Security;

namespace ZinTrust.Workers.Server;

/// <summary>
/// TLS between silos and from clients to this silo's gateway (SILO_TLS_*): this silo's certificate and the authorities
/// every peer's certificate must chain to. Both ends present a certificate: outside Development a peer or client without
/// one is refused.
/// </summary>
public sealed class ClusterTls
{
    public required X509Certificate2 Certificate { get; init; }

    /// <summary>SILO_TLS_CA: the authorities of the cluster; null trusts the machine's store.</summary>
    public X509Certificate2Collection? Authorities { get; init; }

    /// <summary>Reads SILO_TLS_CERTIFICATE (with SILO_TLS_KEY, SILO_TLS_PASSWORD) or SILO_TLS_THUMBPRINT, and SILO_TLS_CA;
    /// null when neither certificate setting is given. Problems name the setting, never a password.</summary>
    public static ClusterTls? Read(IConfiguration configuration, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(problems);
        var path = Value(configuration, "SILO_TLS_CERTIFICATE");
        var thumbprint = Value(configuration, "SILO_TLS_THUMBPRINT");
        var authorities = Value(configuration, "SILO_TLS_CA");
        if (path is null && thumbprint is null)
        {
            if (authorities is not null || Value(configuration, "SILO_TLS_KEY") is not null)
            {
                problems.Add("SILO_TLS_CERTIFICATE: SILO_TLS_CA or SILO_TLS_KEY is set but no certificate (SILO_TLS_CERTIFICATE or SILO_TLS_THUMBPRINT).");
            }

            return null;
        }

        if (path is not null && thumbprint is not null)
        {
            problems.Add("SILO_TLS_THUMBPRINT: set either SILO_TLS_CERTIFICATE (a file) or SILO_TLS_THUMBPRINT (the certificate store), not both.");
            return null;
        }

        var certificate = path is not null
            ? FromFile("SILO_TLS_CERTIFICATE", "a .pfx/.p12 with SILO_TLS_PASSWORD, or PEM with SILO_TLS_KEY", path,
                Value(configuration, "SILO_TLS_KEY"), configuration["SILO_TLS_PASSWORD"] is { Length: > 0 } password ? password : null, problems)
            : FromStore(thumbprint!, problems);
        X509Certificate2Collection? trusted = null;
        if (authorities is not null)
        {
            try
            {
                trusted = TransportCertificates.LoadAuthorities(authorities);
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                problems.Add($"SILO_TLS_CA: '{authorities}' cannot be read as PEM certificates ({Reason(e)}).");
            }
        }

        return certificate is null ? null : new ClusterTls { Certificate = certificate, Authorities = trusted };
    }

    /// <summary>The options of Orleans' TLS middleware for this silo: peers (silos and clients) must present a
    /// certificate chaining to <see cref="Authorities"/>, except in Development, where clients may come without one.</summary>
    public void Configure(TlsOptions options, bool development)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.RemoteCertificateMode = development ? RemoteCertificateMode.AllowCertificate : RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;   // this silo presents its own to other silos
        var authorities = Authorities;
        options.RemoteCertificateValidation = (certificate, _, errors) => TransportCertificates.IsTrusted(certificate, authorities, errors);
    }

    /// <summary>A certificate file named by <paramref name="setting"/> (the cluster's, or the REST API's); a file that cannot
    /// be loaded is a problem naming the setting and <paramref name="hint"/>, never the password or the file's content.</summary>
    internal static X509Certificate2? FromFile(string setting, string hint, string path, string? key, string? password, List<string> problems)
    {
        try
        {
            return TransportCertificates.Load(path, key, password);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            problems.Add($"{setting}: '{path}' cannot be loaded as a certificate with its private key ({Reason(e)}); {hint}.");
            return null;
        }
    }

    private static X509Certificate2? FromStore(string thumbprint, List<string> problems)
    {
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            try
            {
                using var store = new X509Store(StoreName.My, location);
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                var found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false);
                if (found.Count > 0 && found[0].HasPrivateKey)
                {
                    return found[0];
                }
            }
            catch (CryptographicException)
            {
                // This location's store does not exist here (LocalMachine\My on Linux): try the next.
            }
        }

        problems.Add($"SILO_TLS_THUMBPRINT: no certificate with its private key and thumbprint {thumbprint} in the My store (current user or machine).");
        return null;
    }

    private static string? Value(IConfiguration configuration, string name) =>
        configuration[name] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>What went wrong, in words that carry no secret (the exception's own text can quote file content).</summary>
    private static string Reason(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file",
        UnauthorizedAccessException => "not readable by this process",
        IOException => "cannot be read",
        _ => "not a certificate, no private key, or a wrong password",
    };
}
