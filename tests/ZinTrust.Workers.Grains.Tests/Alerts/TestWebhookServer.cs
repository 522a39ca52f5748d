using System.Collections.Concurrent;
using System.Net.Security;
using System.Text;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>One request the webhook server received: its request line, headers (lower-case names) and body.</summary>
internal sealed record WebhookRequest(string RequestLine, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A minimal HTTPS/1.1 server for the alert webhook tests: records every request with its body and answers with the next
/// status of its script (200 once the script is used up), keeping the connection open.
/// </summary>
internal sealed class TestWebhookServer(params int[] statuses) : TestTlsServer("alert-webhook")
{
    private readonly ConcurrentQueue<int> script = new(statuses);
    private readonly ConcurrentQueue<WebhookRequest> requests = new();

    public string Url => $"https://localhost:{Port}/hooks/alerts";

    public IReadOnlyList<WebhookRequest> Requests => [.. requests];

    protected override async Task ServeAsync(SslStream tls)
    {
        while (await ReadRequestAsync(tls) is { } request)
        {
            requests.Enqueue(request);
            int status = script.TryDequeue(out var next) ? next : 200;
            var head = $"HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n";
            await tls.WriteAsync(Encoding.ASCII.GetBytes(head), Stopping.Token);
            await tls.FlushAsync(Stopping.Token);
        }
    }

    /// <summary>One request (head, then a body of its Content-Length), or null when the client closed the connection.</summary>
    private async Task<WebhookRequest?> ReadRequestAsync(SslStream tls)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(buffer))
        {
            if (await tls.ReadAsync(one, Stopping.Token) == 0)
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
            int n = await tls.ReadAsync(body.AsMemory(read), Stopping.Token);
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
