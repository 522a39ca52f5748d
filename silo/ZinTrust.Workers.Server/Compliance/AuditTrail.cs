using System.Diagnostics;
using System.Globalization;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>
/// Records API calls in the audit log: every state-changing call under <c>/api</c> (POST, PUT, PATCH, DELETE) whatever its
/// outcome, and every refused call (401, 403) on any route. A record holds who (the key's name, or <c>anonymous</c>, and its
/// highest role), what (the route's action name and its values: worker, queue, job id), the outcome and status, the client's
/// address and the trace id. Never bodies, query strings or headers.
/// </summary>
/// <remarks>
/// It sits outside the error handling and the security middleware, so it sees the status every request finally got, including
/// the problems errors became and the refusals of authentication and authorization. It awaits the durable append before the
/// request ends (the answer may already be on its way), so an acknowledged change normally has its record; a record that cannot be written
/// is logged and counted, and never fails the call.
/// </remarks>
public static class AuditTrail
{
    public const string Anonymous = "anonymous";

    public static WebApplication UseZinTrustAuditTrail(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var audit = app.Services.GetRequiredService<IAuditLog>();
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuditLogOptions>>().Value;
        var clock = app.Services.GetRequiredKeyedService<TimeProvider>(WorkersClock.Key);
        if (!options.Enabled)
        {
            return app;
        }

        app.Use(async (context, next) =>
        {
            int? failed = null;
            try
            {
                await next(context);
            }
            catch
            {
                failed = StatusCodes.Status500InternalServerError;   // escaped after the answer started
                throw;
            }
            finally
            {
                int status = failed ?? context.Response.StatusCode;
                if (Recorded(context.Request, status))
                {
                    await audit.AppendAsync(Entry(context, status, clock.GetUtcNow()), CancellationToken.None);
                }
            }
        });
        return app;
    }

    private static bool Recorded(HttpRequest request, int status) =>
        status is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden
        || (request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            && (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method)));

    private static AuditEntry Entry(HttpContext context, int status, DateTimeOffset at)
    {
        // A call that failed went through the exception handler, which clears the endpoint and route values and keeps the
        // originals in its feature.
        var handled = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>();
        var pattern = ((context.GetEndpoint() ?? handled?.Endpoint) as RouteEndpoint)?.RoutePattern;
        var routeValues = handled?.RouteValues is { Count: > 0 } original ? original : context.Request.RouteValues;
        var user = context.User;
        bool authenticated = user.Identity?.IsAuthenticated == true;
        return new AuditEntry
        {
            Actor = authenticated ? user.Identity!.Name ?? Anonymous : Anonymous,
            Role = authenticated ? HighestRole(user) : null,
            Action = AuditActionNames.Of(context.Request.Method, pattern),
            Target = AuditActionNames.Target(pattern, routeValues),
            Outcome = status switch
            {
                StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden => AuditOutcomes.Denied,
                < 400 => AuditOutcomes.Success,
                _ => AuditOutcomes.Failed,
            },
            At = at,
            ClientAddress = context.Connection.RemoteIpAddress?.ToString(),
            CorrelationId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier,
            Details = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["status"] = status.ToString(CultureInfo.InvariantCulture),
                ["method"] = context.Request.Method,
                ["route"] = pattern?.RawText ?? "",
            },
        };
    }

    private static string? HighestRole(System.Security.Claims.ClaimsPrincipal user) =>
        user.IsInRole(ApiSecurity.Admin) ? ApiSecurity.Admin
        : user.IsInRole(ApiSecurity.Operator) ? ApiSecurity.Operator
        : user.IsInRole(ApiSecurity.Viewer) ? ApiSecurity.Viewer
        : null;
}
