using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ZinTrust.Workers.Testing;

/// <summary>
/// A private certificate authority made for one test, and certificates it issues (server and client authentication,
/// for localhost and 127.0.0.1), written as files the way an operator would give them to a silo or a client.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly ECDsa authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 authority;

    private TestCertificates(string name, string directory)
    {
        Directory = directory;
        var request = new CertificateRequest($"CN={name} test authority", authorityKey, HashAlgorithmName.SHA256);   // never a leaf's name
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        AuthorityPath = Path.Combine(directory, $"{name}.ca.pem");
        File.WriteAllText(AuthorityPath, authority.ExportCertificatePem());
    }

    /// <summary>Where the files are.</summary>
    public string Directory { get; }

    /// <summary>The authority's certificate (PEM): what SILO_TLS_CA names.</summary>
    public string AuthorityPath { get; }

    /// <summary>A new authority named <paramref name="name"/>, its files in a fresh temporary directory.</summary>
    public static TestCertificates CreateAuthority(string name) =>
        new(name, System.IO.Directory.CreateTempSubdirectory($"zt-tls-{name}-").FullName);

    /// <summary>A certificate for <paramref name="subject"/> issued by this authority, as a PKCS#12 file protected by
    /// <paramref name="password"/>; returns its path.</summary>
    public string Issue(string subject, string password)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));   // server and client authentication
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        var path = Path.Combine(Directory, $"{subject}.pfx");
        File.WriteAllBytes(path, withKey.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    public void Dispose()
    {
        authority.Dispose();
        authorityKey.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
