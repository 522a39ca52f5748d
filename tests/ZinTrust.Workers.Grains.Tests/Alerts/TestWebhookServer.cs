using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>One request the webhook server received: its request line, headers (lower-case names) and body.</summary>
internal sealed record WebhookRequest(string RequestLine, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A minimal HTTPS/1.1 server on 127.0.0.1 for the alert webhook tests: records every request with its body and answers with
/// the next status of its script (200 once the script is used up). Its certificate comes from a test authority; clients trust
/// it by its hash.
/// </summary>
internal sealed class TestWebhookServer : IAsyncDisposable
{
    private readonly TestCertificates authority = TestCertificates.CreateAuthority("alert-webhook");
    private readonly X509Certificate2 certificate;
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<int> script;
    private readonly ConcurrentQueue<WebhookRequest> requests = new();
    private readonly Task accepting;
    private int connections;

    public TestWebhookServer(params int[] statuses)
    {
        script = new ConcurrentQueue<int>(statuses);
        const string Password = "alert-webhook-test";
        certificate = X509CertificateLoader.LoadPkcs12FromFile(authority.Issue("localhost", Password), Password);
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public string Url => $"https://localhost:{Port}/hooks/alerts";

    public IReadOnlyList<WebhookRequest> Requests => [.. requests];

    public int Connections => Volatile.Read(ref connections);

    /// <summary>Accepts exactly this server's certificate (test-only trust).</summary>
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

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(certificate, clientCertificateRequired: false, checkCertificateRevocation: false);
                while (await ReadRequestAsync(tls) is { } request)
                {
                    requests.Enqueue(request);
                    int status = script.TryDequeue(out var next) ? next : 200;
                    var head = $"HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n";
                    await tls.WriteAsync(Encoding.ASCII.GetBytes(head), stopping.Token);
                    await tls.FlushAsync(stopping.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
                // a client that went away
            }
        }
    }

    /// <summary>One request (head, then a body of its Content-Length), or null when the client closed the connection.</summary>
    private async Task<WebhookRequest?> ReadRequestAsync(SslStream tls)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(buffer))
        {
            if (await tls.ReadAsync(one, stopping.Token) == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. buffer]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        int length = headers.TryGetValue("content-length", out var value) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var body = new byte[length];
        int read = 0;
        while (read < length)
        {
            int n = await tls.ReadAsync(body.AsMemory(read), stopping.Token);
            if (n == 0)
            {
                return null;
            }

            read += n;
        }

        return new WebhookRequest(lines[0], headers, Encoding.UTF8.GetString(body));
    }

    private static bool EndsWithBlankLine(List<byte> bytes) =>
        bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n';
}
