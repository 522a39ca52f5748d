using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZinTrust.Workers.Testing;

/// <summary>
/// A minimal HTTP/1.1 endpoint on 127.0.0.1 (a port of its own, chosen by the system) for health-check tests: every request gets
/// <see cref="Status"/> (with <see cref="Location"/> when set), or no answer at all while <see cref="Hang"/> is set. Requests are
/// counted. No external network, no fixed port, nothing left running after disposal.
/// </summary>
public sealed class TestHttpEndpoint : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private int requests;
    private volatile int status;
    private volatile string? location;
    private volatile bool hang;

    public TestHttpEndpoint(int status = 200)
    {
        Status = status;
        listener.Start();
        accepting = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>The status every request is answered with.</summary>
    public int Status { get => status; set => status = value; }

    /// <summary>A Location header to send (for redirects); null: none.</summary>
    public string? Location { get => location; set => location = value; }

    /// <summary>While true, requests are read and never answered (for timeouts).</summary>
    public bool Hang { get => hang; set => hang = value; }

    public int Requests => Volatile.Read(ref requests);

    public string Url(string path = "/health") => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}{path}";

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await accepting;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[4096];
                var head = new StringBuilder();
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    int read = await stream.ReadAsync(buffer, stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                Interlocked.Increment(ref requests);
                if (Hang)
                {
                    await Task.Delay(Timeout.Infinite, stop.Token);
                }

                var body = "{\"status\":\"checked\"}";
                var location = Location is { } l ? $"Location: {l}\r\n" : "";
                var answer = $"HTTP/1.1 {Status.ToString(CultureInfo.InvariantCulture)} Test\r\n{location}Content-Type: application/json\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n\r\n{body}";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), stop.Token);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
            }
            catch (IOException)
            {
            }
        }
    }
}
