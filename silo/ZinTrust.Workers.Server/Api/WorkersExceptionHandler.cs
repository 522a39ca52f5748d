using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>
/// Maps what escapes an endpoint to a problem with a stable code: API and domain errors keep theirs, an unreadable body is
/// 400 (413 when too large), a timeout or a membership change is 503 (the call may be retried), anything else is a 500
/// whose answer says nothing of the exception. Errors of 500 and above are logged with the exception.
/// </summary>
public sealed partial class WorkersExceptionHandler(IProblemDetailsService problems, ILoggerFactory loggers) : IExceptionHandler
{
    private readonly ILogger logger = loggers.CreateLogger("ZinTrust.Workers.Api");

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(exception);
        if (httpContext.RequestAborted.IsCancellationRequested)
        {
            return true;   // the client left: nobody reads an answer, and its going is not the server's error
        }

        var (status, code, message) = Classify(exception);
        if (status >= 500)
        {
            LogUnhandled(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? "", status, exception);
        }

        if (exception is WorkersException { RetryAfter: { } retryAfter })
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = ApiErrors.Details(status, code, message),
            Exception = exception,
        });
    }

    /// <summary>The status, stable code and message of an exception (the message never carries the exception's text unless
    /// the exception is one of ours, whose messages are written for callers).</summary>
    public static (int Status, string Code, string Message) Classify(Exception exception) => exception switch
    {
        ApiException api => (api.Status, api.Code, api.Message),
        WorkersException domain => (ApiErrors.StatusOf(domain.Code), domain.Code, domain.Message),
        BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? ApiErrors.PayloadTooLarge : WorkersErrorCodes.InvalidBody, "The request could not be read."),
        TimeoutException => (StatusCodes.Status503ServiceUnavailable, WorkersErrorCodes.QueueUnavailable, "The cluster did not answer in time; retry."),
        // A silo died or is joining: the call may be retried (the grain re-activates elsewhere).
        Orleans.Runtime.OrleansException => (StatusCodes.Status503ServiceUnavailable, ApiErrors.ClusterUnavailable, "The cluster is changing membership; retry."),
        _ => (StatusCodes.Status500InternalServerError, WorkersErrorCodes.InternalError, "An unexpected error occurred."),
    };

    [LoggerMessage(5000, LogLevel.Error, "{Method} {Path} failed with {Status}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, int status, Exception exception);
}
