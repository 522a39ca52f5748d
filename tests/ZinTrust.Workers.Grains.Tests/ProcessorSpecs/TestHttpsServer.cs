using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// A minimal HTTPS/1.1 server on 127.0.0.1 for the processor-spec fetch tests: answers every GET with one configured response
/// and counts the connections it accepted. Its certificate comes from a test authority; clients trust it by its hash.
/// </summary>
internal sealed class TestHttpsServer : IAsyncDisposable
{
    private readonly TestCertificates authority = TestCertificates.CreateAuthority("spec-fetch");
    private readonly X509Certificate2 certificate;
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task accepting;
    private int connections;
    private int failNext;

    public TestHttpsServer(byte[] body)
    {
        Body = body;
        const string Password = "spec-fetch-test";
        certificate = X509CertificateLoader.LoadPkcs12FromFile(authority.Issue("localhost", Password), Password);
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public byte[] Body { get; set; }

    /// <summary>The next this many requests are answered 503 (before <see cref="Override"/> or the body).</summary>
    public int FailNext
    {
        get { lock (stopping) { return failNext; } }
        set { lock (stopping) { failNext = value; } }
    }

    /// <summary>Answer with this status (and Location, for a redirect) instead of 200 and the body.</summary>
    public (int Status, string? Location)? Override { get; set; }

    public int Connections => Volatile.Read(ref connections);

    /// <summary>Accepts exactly this server's certificate (test-only trust; the fetcher otherwise uses the machine's store).</summary>
    public bool Trusts(X509Certificate? presented) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        try
        {
            await accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // stopped
        }

        stopping.Dispose();
        certificate.Dispose();
        authority.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stopping.Token);
            Interlocked.Increment(ref connections);
            _ = ServeAsync(client);
        }
    }

    private bool TakeFailure()
    {
        lock (stopping)
        {
            return failNext > 0 && failNext-- > 0;
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(certificate, clientCertificateRequired: false, checkCertificateRevocation: false);
                var request = new StringBuilder();
                var buffer = new byte[4096];
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    int read = await tls.ReadAsync(buffer, stopping.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                var (status, location) = TakeFailure() ? (503, null) : Override ?? (200, null);
                var body = status == 200 ? Body : [];
                var head = $"HTTP/1.1 {status} X\r\nContent-Length: {body.Length}\r\nConnection: close\r\n{(location is null ? "" : $"Location: {location}\r\n")}\r\n";
                await tls.WriteAsync(Encoding.ASCII.GetBytes(head), stopping.Token);
                await tls.WriteAsync(body, stopping.Token);
                await tls.FlushAsync(stopping.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
                // a client that gave up; nothing to answer
            }
        }
    }
}
