using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZinTrust.Workers.Abstractions.Security;

/// <summary>
/// Certificates for TLS between silos and from clients to the silos' gateways: loading them from files, and deciding
/// whether a peer's certificate is one the cluster trusts. Shared by the server and the client.
/// </summary>
public static class TransportCertificates
{
    /// <summary>
    /// A certificate with its private key: PKCS#12 (<c>.pfx</c>, <c>.p12</c>; <paramref name="password"/> opens it) or PEM
    /// (the key in <paramref name="keyPath"/>, or in the certificate's file; <paramref name="password"/> for an encrypted key).
    /// </summary>
    /// <exception cref="CryptographicException">Not a certificate, no private key, or the wrong password.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static X509Certificate2 Load(string certificatePath, string? keyPath = null, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificatePath);
        var extension = Path.GetExtension(certificatePath).ToLowerInvariant();
        var certificate = extension is ".pfx" or ".p12"
            ? X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password, X509KeyStorageFlags.EphemeralKeySet)
            : password is null
                ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, keyPath);
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new CryptographicException("The certificate has no private key.");
        }

        return certificate;
    }

    /// <summary>The authorities in a PEM file (one or more <c>CERTIFICATE</c> blocks).</summary>
    /// <exception cref="CryptographicException">The file holds no certificate.</exception>
    public static X509Certificate2Collection LoadAuthorities(string pemPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pemPath);
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(pemPath);
        if (authorities.Count == 0)
        {
            throw new CryptographicException("The file holds no certificate.");
        }

        return authorities;
    }

    /// <summary>
    /// Whether a peer's certificate chains to one of <paramref name="authorities"/> (with none: to the machine's trust store,
    /// as <paramref name="errors"/> say). Host names are not compared: silos and clients reach each other by address, so the
    /// cluster's own authority is what identifies a member.
    /// </summary>
    public static bool IsTrusted(X509Certificate2 certificate, X509Certificate2Collection? authorities, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (authorities is null)
        {
            return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
