using System.Net.Security;
using System.Text;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// A minimal HTTPS/1.1 server for the processor-spec fetch tests: answers every GET with one configured response (or a 503, or
/// an override) and closes the connection.
/// </summary>
internal sealed class TestHttpsServer(byte[] body) : TestTlsServer("spec-fetch")
{
    private readonly Lock gate = new();
    private int failNext;

    public byte[] Body { get; set; } = body;

    /// <summary>The next this many requests are answered 503 (before <see cref="Override"/> or the body).</summary>
    public int FailNext
    {
        get { lock (gate) { return failNext; } }
        set { lock (gate) { failNext = value; } }
    }

    /// <summary>Answer with this status (and Location, for a redirect) instead of 200 and the body.</summary>
    public (int Status, string? Location)? Override { get; set; }

    protected override async Task ServeAsync(SslStream tls)
    {
        var request = new StringBuilder();
        var buffer = new byte[4096];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int read = await tls.ReadAsync(buffer, Stopping.Token);
            if (read == 0)
            {
                return;
            }

            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var (status, location) = TakeFailure() ? (503, null) : Override ?? (200, null);
        var answer = status == 200 ? Body : [];
        var head = $"HTTP/1.1 {status} X\r\nContent-Length: {answer.Length}\r\nConnection: close\r\n{(location is null ? "" : $"Location: {location}\r\n")}\r\n";
        await tls.WriteAsync(Encoding.ASCII.GetBytes(head), Stopping.Token);
        await tls.WriteAsync(answer, Stopping.Token);
        await tls.FlushAsync(Stopping.Token);
    }

    private bool TakeFailure()
    {
        lock (gate)
        {
            return failNext > 0 && failNext-- > 0;
        }
    }
}
