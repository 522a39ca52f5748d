using System.Security.Cryptography.X509Certificates;
using ZinTrust.Workers.Abstractions.Security;

namespace ZinTrust.Workers.Client;

/// <summary>TLS from the client to the silos' gateways (the silos' SILO_TLS_* settings).</summary>
public sealed class WorkersClientTls
{
    /// <summary>The client's certificate, with its private key and the client-authentication use; silos outside
    /// Development refuse a client without one. <see cref="FromFiles"/> loads one.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>The authorities the silos' certificates chain to (their SILO_TLS_CA); null trusts the machine's store.</summary>
    public X509Certificate2Collection? TrustedAuthorities { get; set; }

    /// <summary>From files: the certificate (PKCS#12 with <paramref name="password"/>, or PEM with <paramref name="keyPath"/>)
    /// and, when given, the authorities' PEM file.</summary>
    public static WorkersClientTls FromFiles(string? certificatePath, string? authoritiesPath = null, string? keyPath = null, string? password = null) => new()
    {
        Certificate = certificatePath is null ? null : TransportCertificates.Load(certificatePath, keyPath, password),
        TrustedAuthorities = authoritiesPath is null ? null : TransportCertificates.LoadAuthorities(authoritiesPath),
    };
}
