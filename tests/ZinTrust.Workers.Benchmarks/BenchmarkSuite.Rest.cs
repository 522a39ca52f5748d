using System.Diagnostics;
using System.Net;
using System.Text;

namespace ZinTrust.Workers.Benchmarks;

/// <summary>
/// The <c>rest</c> scenarios: an HTTP/1.1 keep-alive load generator in this process (one <see cref="SocketsHttpHandler"/>,
/// as many loops as connections, bodies serialised once) against the silo host in a process of its own on the same Redis.
/// The HTTP ceiling (an anonymous trivial route) is measured in the same run, with the same client and connections, so the
/// enqueue figure can be read as a share of what this machine's HTTP stack gives at all.
/// </summary>
public sealed partial class BenchmarkSuite
{
    private const int RestConnections = 32;
    private const int RestBatchConnections = 4;

    private async Task Rest(ChildSilo silo, CancellationToken cancellationToken)
    {
        using var http = LoadClient(silo, RestConnections);
        var live = new Uri(silo.BaseAddress, "/health/live");
        var (ceiling, _) = await TimedLoad.RunAsync(
            RestConnections, ct => SendAsync(http, HttpMethod.Get, live, null, authenticated: false, 1, ct), settings.LoadWarmup, settings.LoadWindow, cancellationToken);
        Add("redis", $"REST, {RestConnections} connections, GET /health/live (anonymous: the HTTP ceiling)", "requests", ceiling, "requests/s");

        // A queue that exists (a worker, never started, names it), so the read goes through the queue grain.
        await silo.CreateWorkerAsync($"rest-read{round}", $"rest-read{round}", settings.Concurrency, retain: 0, cancellationToken, start: false);
        var stats = new Uri(silo.BaseAddress, $"/api/queues/rest-read{round}");
        var (read, _) = await TimedLoad.RunAsync(
            RestConnections, ct => SendAsync(http, HttpMethod.Get, stats, null, authenticated: true, 1, ct), settings.LoadWarmup, settings.LoadWindow, cancellationToken);
        Add("redis", $"REST, {RestConnections} connections, GET /api/queues/{{queue}} (API key, the queue grain's stats)", "requests", read, "requests/s");

        var one = Encoding.UTF8.GetBytes("{\"payload\":{\"t\":0}}");
        var enqueue = new Uri(silo.BaseAddress, $"/api/queues/rest-enqueue{round}/jobs");
        var mark = await CpuMark.TakeAsync(silo);
        var (single, sent) = await TimedLoad.RunAsync(
            RestConnections, ct => SendAsync(http, HttpMethod.Post, enqueue, one, authenticated: true, 1, ct), settings.LoadWarmup, settings.LoadWindow, cancellationToken);
        string scenario = $"REST, {RestConnections} connections, POST /api/queues/{{queue}}/jobs one job each, no worker";
        Add("redis", scenario, "enqueue rate", single, "jobs/s");
        await AddCpuAsync(silo, scenario, mark, sent, "HTTP client process");
        Add("redis", "REST enqueue / HTTP ceiling", "ratio, same run and connections", Math.Round(single / ceiling * 100, 1), "%");
        Add("redis", "REST authenticated read / HTTP ceiling", "ratio, same run and connections", Math.Round(read / ceiling * 100, 1), "%");

        using var batches = LoadClient(silo, RestBatchConnections);
        var batch = Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Range(0, 1000).Select(i => $"{{\"payload\":{{\"i\":{i}}}}}")) + "]");
        await RestEndToEnd(silo, batches, batch, cancellationToken);

        // Last: with no worker on it, this queue keeps every job it was given (hundreds of thousands).
        var bulk = new Uri(silo.BaseAddress, $"/api/queues/rest-enqueue-batch{round}/jobs");
        var (rate, _) = await TimedLoad.RunAsync(
            RestBatchConnections, ct => SendAsync(batches, HttpMethod.Post, bulk, batch, authenticated: true, 1000, ct), settings.LoadWarmup, settings.LoadWindow, cancellationToken);
        Add("redis", $"REST, {RestBatchConnections} connections, POST batches of 1000, no worker", "enqueue rate", rate, "jobs/s");
    }

    /// <summary>Batches of 1,000 over <see cref="RestBatchConnections"/> connections to a running echo worker, first request to
    /// the poll that sees the last completion; an unrecorded tenth first.</summary>
    private async Task RestEndToEnd(ChildSilo silo, HttpClient http, byte[] batch, CancellationToken cancellationToken)
    {
        string name = $"rest-e2e{round}";
        await silo.CreateWorkerAsync(name, name, settings.Concurrency, retain: 0, cancellationToken);
        var target = new Uri(silo.BaseAddress, $"/api/queues/{name}/jobs");
        int batches = Math.Max(1, settings.RestEndToEndJobs / 1000);
        long completed = 0;
        foreach (var (count, record) in new[] { (Math.Max(1, batches / 10), false), (batches, true) })
        {
            var mark = await CpuMark.TakeAsync(silo);
            long first = Stopwatch.GetTimestamp();
            await InFlightAsync(RestBatchConnections, count, ct => SendAsync(http, HttpMethod.Post, target, batch, authenticated: true, 1000, ct), cancellationToken);
            double enqueueSeconds = Stopwatch.GetElapsedTime(first).TotalSeconds;
            int n = count * 1000;
            long last = await ExpectCompletedAsync(silo, name, completed, n, cancellationToken);
            completed += n;
            if (record)
            {
                string scenario = $"REST, {RestBatchConnections} connections, batches of 1000, end to end {n} echo jobs, concurrency {settings.Concurrency}";
                Add("redis", scenario, "throughput", n / ((last - first) / (double)Stopwatch.Frequency), "jobs/s");
                Add("redis", scenario, "enqueue rate while the worker runs", n / enqueueSeconds, "jobs/s");
                await AddCpuAsync(silo, scenario, mark, n, "HTTP client process");
            }
        }

        await silo.StopWorkerAsync(name, cancellationToken);
    }

    /// <summary>An HTTP/1.1 client keeping up to <paramref name="connections"/> connections alive to the silo.</summary>
    private static HttpClient LoadClient(ChildSilo silo, int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        BaseAddress = silo.BaseAddress,
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>One request; returns <paramref name="units"/> on a 2xx answer, throws with the status and body otherwise.</summary>
    private static async Task<int> SendAsync(HttpClient http, HttpMethod method, Uri uri, byte[]? body, bool authenticated, int units, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        }

        if (authenticated)
        {
            request.Headers.TryAddWithoutValidation("X-Api-Key", ChildSilo.ApiKey);
        }

        using var answer = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (!answer.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{method} {uri.AbsolutePath} gave {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return units;
    }
}
