using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// A TLS listener on 127.0.0.1 for the tests of the silo's outbound HTTPS (alert webhooks, processor-spec fetches): accepts
/// connections, completes the handshake with a certificate for <c>localhost</c> from a test authority of its own, and hands each
/// connection's stream to <see cref="ServeAsync"/>. Clients trust it by its certificate's hash (<see cref="Trusts"/>).
/// </summary>
internal abstract class TestTlsServer : IAsyncDisposable
{
    private readonly TestCertificates authority;
    private readonly X509Certificate2 certificate;
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Task accepting;
    private int connections;

    protected TestTlsServer(string name)
    {
        authority = TestCertificates.CreateAuthority(name);
        string password = name + "-test";
        certificate = X509CertificateLoader.LoadPkcs12FromFile(authority.Issue("localhost", password), password);
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>The connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>Cancelled when the server stops.</summary>
    protected CancellationTokenSource Stopping { get; } = new();

    /// <summary>Accepts exactly this server's certificate (test-only trust; clients otherwise use the machine's store).</summary>
    public bool Trusts(X509Certificate? presented) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();

    public async ValueTask DisposeAsync()
    {
        await Stopping.CancelAsync();
        listener.Stop();
        try
        {
            await accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // stopped
        }

        Stopping.Dispose();
        certificate.Dispose();
        authority.Dispose();
    }

    /// <summary>Serves one connection after its handshake; returning closes it.</summary>
    protected abstract Task ServeAsync(SslStream tls);

    private async Task AcceptAsync()
    {
        while (!Stopping.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(Stopping.Token);
            Interlocked.Increment(ref connections);
            _ = ServeConnectionAsync(client);
        }
    }

    private async Task ServeConnectionAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(certificate, clientCertificateRequired: false, checkCertificateRevocation: false);
                await ServeAsync(tls);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
                // a client that went away or gave up; nothing to answer
            }
        }
    }
}
