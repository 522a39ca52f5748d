using Microsoft.AspNetCore.Routing.Template;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

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
        var bodyRoutes = new Lazy<(TemplateMatcher Path, IReadOnlyList<string> Methods)[]>(() => BodyRoutes(app.Services.GetRequiredService<EndpointDataSource>()));
        app.MapFallback((HttpContext http) =>
            WantsJson(http.Request, bodyRoutes.Value)
                ? ApiErrors.Problem(StatusCodes.Status415UnsupportedMediaType, ApiErrors.UnsupportedMediaType, "This route takes a JSON body: send it with Content-Type: application/json.")
                : ApiErrors.Problem(StatusCodes.Status404NotFound, ApiErrors.RouteNotFound, "No such route."));
        return app;
    }

    /// <summary>Routes declaring a JSON body leave a request with another content type (or none) unmatched, and it lands on
    /// the fallback: a route of that path and method that takes a body means the content type was the problem, not the path.</summary>
    private static bool WantsJson(HttpRequest request, (TemplateMatcher Path, IReadOnlyList<string> Methods)[] routes)
    {
        var values = new RouteValueDictionary();
        return routes.Any(r => r.Methods.Contains(request.Method, StringComparer.OrdinalIgnoreCase) && r.Path.TryMatch(request.Path, values));
    }

    private static (TemplateMatcher Path, IReadOnlyList<string> Methods)[] BodyRoutes(EndpointDataSource endpoints) =>
        [.. endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>() is { ContentTypes.Count: > 0 })
            .Select(e => (
                new TemplateMatcher(TemplateParser.Parse(e.RoutePattern.RawText ?? ""), new RouteValueDictionary()),
                e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? (IReadOnlyList<string>)[]))];

    [LoggerMessage(5000, LogLevel.Error, "{Method} {Path} failed with {Status}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, int status, Exception exception);
}
