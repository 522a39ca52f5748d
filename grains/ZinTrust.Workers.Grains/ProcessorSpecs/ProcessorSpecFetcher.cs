using System.Net;
using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Fetches processor assemblies over https from allow-listed hosts, guarding against server-side request forgery with
/// <see cref="GuardedHttp"/>: the handler's connect callback resolves the host itself, refuses it when any of its addresses is
/// not public (<see cref="PublicAddressPolicy"/>), and connects to the addresses it checked, so no second lookup can change the
/// answer. No proxy, no redirects, no decompression; bodies past PROCESSOR_FETCH_MAX_SIZE are cut off. Failures that may
/// pass (timeouts, connection failures, 5xx, 408, 429) are retried with a doubling backoff (Polly's retry strategy); refusals
/// and other answers never are.
/// </summary>
internal sealed partial class ProcessorSpecFetcher : IDisposable
{
    private static readonly ResiliencePropertyKey<string> Target = new("zintrust.processor-fetch.url");   // for the retry's log line

    private readonly ProcessorSpecOptions options;
    private readonly ProcessorFetchSeams seams;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly HttpClient client;
    private readonly HashSet<string> allowed;
    private readonly ResiliencePipeline retry;

    public ProcessorSpecFetcher(IOptions<ProcessorSpecOptions> options, ProcessorFetchSeams seams, [FromKeyedServices(WorkersClock.Key)] TimeProvider time, ILogger<ProcessorSpecFetcher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        this.seams = seams;
        this.time = time;
        this.logger = logger;
        allowed = new HashSet<string>(this.options.AllowedHosts.Select(Normalize), StringComparer.OrdinalIgnoreCase);
        client = new HttpClient(GuardedHttp.CreateHandler(seams, ConnectAsync)) { Timeout = Timeout.InfiniteTimeSpan };   // each attempt has its own limit
        retry = this.options.FetchRetryAttempts <= 0 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = this.options.FetchRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = this.options.FetchRetryBackoff,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                OnRetry = args =>
                {
                    LogRetrying(logger, args.Context.Properties.GetValue(Target, ""), args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message ?? "");
                    return default;
                },
            })
            .Build();
    }

    /// <summary>Refuses an address that is not https or whose host is not on REMOTE_PROCESSOR_ALLOWLIST (nothing is resolved).</summary>
    public void EnsureAllowed(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Scheme != Uri.UriSchemeHttps)
        {
            throw Refused($"'{url.Scheme}' addresses are not fetched; a processor spec's url must be https.");
        }

        var host = Normalize(url.IdnHost);
        if (!allowed.Contains(host))
        {
            throw Refused(allowed.Count == 0
                ? "address specs are off on this silo (REMOTE_PROCESSOR_ALLOWLIST is empty)."
                : $"host '{host}' is not on REMOTE_PROCESSOR_ALLOWLIST.");
        }
    }

    /// <summary>The body at <paramref name="url"/> and how long the server lets it be kept (null: not said; zero: not at all).</summary>
    public async Task<(byte[] Bytes, TimeSpan? MaxAge)> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        EnsureAllowed(url);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Target, Shown(url));
        try
        {
            return await retry.ExecuteAsync(static (context, state) => new ValueTask<(byte[], TimeSpan?)>(state.Fetcher.FetchOnceAsync(state.Url, context.CancellationToken)), context, (Fetcher: this, Url: url));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public void Dispose() => client.Dispose();

    private async Task<(byte[] Bytes, TimeSpan? MaxAge)> FetchOnceAsync(Uri url, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(options.FetchTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                throw Refused($"{Shown(url)} answered with a redirect ({status}); redirects are not followed, give the final address.");
            }

            if (status is >= 500 or 408 or 429)
            {
                throw new HttpRequestException($"{Shown(url)} answered {status}.", null, response.StatusCode);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw Unavailable($"{Shown(url)} answered {status}.");
            }

            if (response.Content.Headers.ContentLength > options.FetchMaxSize)
            {
                throw TooLarge(url);
            }

            await using var body = await response.Content.ReadAsStreamAsync(attempt.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(chunk, attempt.Token)) > 0)
            {
                if (buffer.Length + read > options.FetchMaxSize)
                {
                    throw TooLarge(url);
                }

                buffer.Write(chunk, 0, read);
            }

            var cacheControl = response.Headers.CacheControl;
            return (buffer.ToArray(), cacheControl is { NoStore: true } ? TimeSpan.Zero : cacheControl?.MaxAge);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Shown(url)} did not answer within PROCESSOR_FETCH_TIMEOUT ({options.FetchTimeout.TotalMilliseconds:0} ms).");
        }
        catch (HttpRequestException ex) when (RefusalIn(ex) is { } refusal)
        {
            throw refusal;   // the connect callback's refusal, not a network failure: never retried
        }
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await GuardedHttp.ConnectAsync(seams, context, cancellationToken);
        }
        catch (OutboundAddressRefusedException ex) when (ex.Address is null)
        {
            throw Refused($"{ex.Message}.");
        }
        catch (OutboundAddressRefusedException ex)
        {
            LogAddressRefused(logger, ex.Host, ex.Address!.ToString(), ex.Reason);
            throw Refused($"{ex.Message}; processor fetches connect to public addresses only.");
        }
    }

    private static bool IsTransient(Exception ex) => ex switch
    {
        TimeoutException => true,
        HttpRequestException http => RefusalIn(http) is null && (http.StatusCode is null || (int)http.StatusCode.Value is >= 500 or 408 or 429),
        _ => false,
    };

    private static WorkersException? RefusalIn(Exception ex)
    {
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is WorkersException refusal)
            {
                return refusal;
            }
        }

        return null;
    }

    /// <summary>A host as compared with the allow-list: lower case without a trailing dot, an IP literal in its canonical form.</summary>
    private static string Normalize(string host)
    {
        var name = host.Trim().Trim('[', ']').TrimEnd('.');
        return IPAddress.TryParse(name, out var address) ? address.ToString() : name.ToLowerInvariant();
    }

    /// <summary>The address without its query (which may carry a token), for messages and logs.</summary>
    internal static string Shown(Uri url) => url.GetLeftPart(UriPartial.Path);

    private WorkersException TooLarge(Uri url) =>
        Unavailable($"{Shown(url)} is larger than PROCESSOR_FETCH_MAX_SIZE ({options.FetchMaxSize} bytes).");

    internal static WorkersException Refused(string message) => new(WorkersErrorCodes.ProcessorSpecRefused, "Processor spec refused: " + message);

    internal static WorkersException Unavailable(string message) => new(WorkersErrorCodes.ProcessorSpecUnavailable, "Processor spec unavailable: " + message);
}
