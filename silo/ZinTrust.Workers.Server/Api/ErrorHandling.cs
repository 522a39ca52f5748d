using Microsoft.AspNetCore.Routing.Template;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>Turns every failure into a problem (the framework's exception handler with <see cref="WorkersExceptionHandler"/>);
/// bad input never becomes a 500, and an unknown route or a body of the wrong type gets a problem too.</summary>
public static class ErrorHandling
{
    public static WebApplication UseWorkersErrorHandling(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
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
}
