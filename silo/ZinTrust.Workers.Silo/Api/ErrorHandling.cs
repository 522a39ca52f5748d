using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Silo;

/// <summary>Turns every failure into the error JSON; bad input never becomes a 500.</summary>
public static partial class ErrorHandling
{
    public static WebApplication UseWorkersErrorHandling(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ZinTrust.Workers.Api");
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                var (status, code, message) = ex switch
                {
                    ApiException api => (api.Status, api.Code, api.Message),
                    WorkersException domain => (ApiErrors.StatusOf(domain.Code), domain.Code, domain.Message),
                    BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? ApiErrors.PayloadTooLarge : WorkersErrorCodes.InvalidBody, "The request could not be read."),
                    TimeoutException => (StatusCodes.Status503ServiceUnavailable, WorkersErrorCodes.QueueUnavailable, "The cluster did not answer in time; retry."),
                    // A silo died or is joining: the call may be retried (the grain re-activates elsewhere).
                    Orleans.Runtime.OrleansException => (StatusCodes.Status503ServiceUnavailable, ApiErrors.ClusterUnavailable, "The cluster is changing membership; retry."),
                    _ => (StatusCodes.Status500InternalServerError, WorkersErrorCodes.InternalError, "An unexpected error occurred."),
                };
                if (status >= 500)
                {
                    LogUnhandled(logger, context.Request.Method, context.Request.Path.Value ?? "", status, ex);
                }

                context.Response.Clear();
                if (ex is WorkersException { RetryAfter: { } retryAfter })
                {
                    context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await ApiErrors.Problem(status, code, message).ExecuteAsync(context);
            }
        });
        app.MapFallback(static () => ApiErrors.Problem(StatusCodes.Status404NotFound, ApiErrors.RouteNotFound, "No such route."));
        return app;
    }

    [LoggerMessage(5000, LogLevel.Error, "{Method} {Path} failed with {Status}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, int status, Exception exception);
}
