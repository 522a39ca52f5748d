using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.WebConsole;

/// <summary>
/// Adds the console to a host: <see cref="AddZinTrustConsole"/> (the session cookie and antiforgery),
/// <see cref="UseZinTrustConsoleGuard"/> (after authentication: antiforgery on every state-changing request a session
/// makes, and the security headers of its pages) and <see cref="MapZinTrustConsole"/> (the pages and the session routes).
/// The pages hold no data of their own: they read and act through the host's REST API with the session cookie, so every
/// figure on a page is the one <c>zin</c> and the API answer, and every action passes the API's role checks.
/// </summary>
public static class ConsoleExtensions
{
    /// <summary>The console's session cookie: HttpOnly, SameSite=Strict, Secure unless <see cref="ConsoleOptions.SecureCookies"/> is off,
    /// expiring after <see cref="ConsoleOptions.SessionLifetime"/> without use. Holds a ticket protected by ASP.NET Data Protection,
    /// never the key.</summary>
    public static AuthenticationBuilder AddZinTrustConsole(this AuthenticationBuilder authentication, Action<ConsoleOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(authentication);
        var services = authentication.Services;
        var optionsBuilder = services.AddOptions<ConsoleOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.Validate(o => o.PathBase.StartsWith('/') && !o.PathBase.EndsWith('/'), "The console's PathBase starts with '/' and does not end with one.")
            .Validate(o => o.SessionLifetime > TimeSpan.Zero, "The console's SessionLifetime is positive.")
            .ValidateOnStart();
        services.AddSingleton<ConsoleAssets>();
        services.AddAntiforgery();
        services.AddOptions<AntiforgeryOptions>().Configure(o =>
        {
            o.HeaderName = ConsoleOptions.AntiforgeryHeader;
            o.Cookie.Name = "zt_csrf";
            o.Cookie.Path = "/";
            o.Cookie.SameSite = SameSiteMode.Strict;
            // Not Always: antiforgery refuses to work at all on a plain-http request with it (a host behind a TLS proxy sees
            // http). The token is no credential by itself; the session cookie is the one kept Secure.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SuppressXFrameOptionsHeader = true;   // the guard sends DENY and frame-ancestors 'none'
        });
        authentication.AddCookie(ConsoleOptions.CookieScheme, static _ => { });
        services.AddOptions<CookieAuthenticationOptions>(ConsoleOptions.CookieScheme).Configure<IOptions<ConsoleOptions>>((o, console) =>
        {
            var settings = console.Value;
            o.Cookie.Name = "zt_session";
            o.Cookie.Path = "/";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = settings.SecureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = settings.SessionLifetime;
            o.SlidingExpiration = true;
            o.LoginPath = settings.PathBase + "/signin";
            o.ReturnUrlParameter = "returnUrl";
            o.Events = new CookieAuthenticationEvents
            {
                OnRedirectToLogin = context => Refuse(context, settings, challenge: true),
                OnRedirectToAccessDenied = context => Refuse(context, settings, challenge: false),
                OnValidatePrincipal = async context =>
                {
                    var credentials = context.HttpContext.RequestServices.GetRequiredService<IConsoleCredentials>();
                    if (context.Principal is null || !credentials.StillValid(context.Principal))
                    {
                        // The key was removed or demoted since sign-in: the session ends with it.
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(ConsoleOptions.CookieScheme);
                    }
                },
            };
        });
        return authentication;
    }

    /// <summary>
    /// After authentication: a state-changing request authenticated by the session cookie must carry the antiforgery token
    /// (header <c>X-CSRF-TOKEN</c>), or it is refused with 400 <c>ANTIFORGERY_TOKEN_INVALID</c> before it reaches a route;
    /// requests with an API key are not affected. Adds the security headers to the console's pages and to
    /// <see cref="ConsoleOptions.SignInPaths"/>.
    /// </summary>
    public static IApplicationBuilder UseZinTrustConsoleGuard(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.ApplicationServices.GetRequiredService<IOptions<ConsoleOptions>>().Value;
        var antiforgery = app.ApplicationServices.GetRequiredService<IAntiforgery>();
        return app.Use(async (http, next) =>
        {
            var path = http.Request.Path;
            if (path.StartsWithSegments(settings.PathBase))
            {
                SecurityHeaders.ForPages(http.Response.Headers);
            }
            else if (IsSignInPath(path, settings))
            {
                SecurityHeaders.ForFramedElsewhere(http.Response.Headers);
            }

            if (!IsSafe(http.Request.Method) && http.User.Identity is { IsAuthenticated: true, AuthenticationType: ConsoleOptions.CookieScheme }
                && !await antiforgery.IsRequestValidAsync(http))
            {
                await settings.Problem(StatusCodes.Status400BadRequest, ConsoleErrors.AntiforgeryTokenInvalid,
                    "This request came with the console's session but without its antiforgery token (header X-CSRF-TOKEN); reload the page.").ExecuteAsync(http);
                return;
            }

            await next(http);
        });
    }

    /// <summary>Maps the pages under <see cref="ConsoleOptions.PathBase"/>: the app (signed-in, <paramref name="pagePolicy"/>), the sign-in
    /// page and the assets (anyone), and <c>session</c> (GET: who is signed in and the antiforgery token; POST: sign in with
    /// <c>{"apiKey"}</c>; DELETE: sign out).</summary>
    public static RouteGroupBuilder MapZinTrustConsole(this IEndpointRouteBuilder endpoints, string pagePolicy)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var settings = endpoints.ServiceProvider.GetRequiredService<IOptions<ConsoleOptions>>().Value;
        var assets = endpoints.ServiceProvider.GetRequiredService<ConsoleAssets>();
        var group = endpoints.MapGroup(settings.PathBase).WithTags("console").ExcludeFromDescription();
        group.MapGet("/", (HttpContext http) =>
        {
            if (!http.Request.Path.Value!.EndsWith('/'))
            {
                return Results.Redirect(settings.PathBase + "/");   // relative asset paths resolve under the slash
            }

            http.Response.Headers.CacheControl = "no-store";
            return assets.Serve("index.html", http);
        }).RequireAuthorization(pagePolicy);
        group.MapGet("/signin", (HttpContext http) => assets.Serve("signin.html", http)).AllowAnonymous();
        group.MapGet("/assets/{file}", (string file, HttpContext http) => assets.Serve("assets/" + file, http)).AllowAnonymous();
        group.MapGet("/session", Session).AllowAnonymous();
        group.MapPost("/session", SignIn).AllowAnonymous();
        group.MapDelete("/session", (Func<HttpContext, Task<IResult>>)SignOut).AllowAnonymous();
        return group;
    }

    private static IResult Session(HttpContext http, IAntiforgery antiforgery, IOptions<ConsoleOptions> options)
    {
        // The token is bound to who asks: a page fetches it again after signing in.
        var tokens = antiforgery.GetAndStoreTokens(http);
        http.Response.Headers.CacheControl = "no-store";
        var user = http.User.Identity is { IsAuthenticated: true } ? http.User : null;
        return Results.Json(new SessionAnswer(
            SignedIn: user is not null,
            Name: user?.Identity?.Name,
            Roles: user?.FindAll(ClaimTypes.Role).Select(c => c.Value).ToArray() ?? [],
            AntiforgeryToken: tokens.RequestToken!,
            ExpiresAt: user is null ? null : http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc,
            Dashboard: options.Value.SignInPaths.FirstOrDefault()));
    }

    private static async Task<IResult> SignIn(HttpContext http, IAntiforgery antiforgery, IConsoleCredentials credentials, IOptions<ConsoleOptions> options, SignInRequest? request)
    {
        var settings = options.Value;
        http.Response.Headers.CacheControl = "no-store";
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return settings.Problem(StatusCodes.Status400BadRequest, ConsoleErrors.AntiforgeryTokenInvalid,
                "Sign-in needs the antiforgery token of GET session (header X-CSRF-TOKEN); reload the page.");
        }

        if (string.IsNullOrWhiteSpace(request?.ApiKey))
        {
            return settings.Problem(StatusCodes.Status400BadRequest, ConsoleErrors.MissingRequiredField, "apiKey is required.");
        }

        if (credentials.Authenticate(request.ApiKey.Trim()) is not { } principal)
        {
            return settings.Problem(StatusCodes.Status401Unauthorized, ConsoleErrors.InvalidApiKey, "This API key is not valid.");
        }

        var identity = new ClaimsIdentity(principal.Claims, ConsoleOptions.CookieScheme, ClaimTypes.Name, ClaimTypes.Role);
        await http.SignInAsync(ConsoleOptions.CookieScheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
        return Results.Json(new SignInAnswer(identity.Name!, identity.FindAll(ClaimTypes.Role).Select(c => c.Value).ToArray()));
    }

    private static async Task<IResult> SignOut(HttpContext http)
    {
        // Refused by the guard without the token when a session is open; with none, there is nothing to end.
        await http.SignOutAsync(ConsoleOptions.CookieScheme);
        http.Response.Headers.CacheControl = "no-store";
        return Results.NoContent();
    }

    private static async Task Refuse(RedirectContext<CookieAuthenticationOptions> context, ConsoleOptions settings, bool challenge)
    {
        var http = context.HttpContext;
        if (IsPageNavigation(http.Request, settings))
        {
            if (challenge)
            {
                http.Response.Redirect(context.RedirectUri);
            }
            else
            {
                await settings.Problem(StatusCodes.Status403Forbidden, ConsoleErrors.Forbidden, "Your role does not allow this page.").ExecuteAsync(http);
            }

            return;
        }

        // An API client: answered as the API answers it, never redirected.
        if (settings.ApiScheme is { } api)
        {
            await (challenge ? http.ChallengeAsync(api) : http.ForbidAsync(api));
            return;
        }

        await settings.Problem(challenge ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden,
            challenge ? ConsoleErrors.Unauthorized : ConsoleErrors.Forbidden, challenge ? "Sign in first." : "Your role does not allow this.").ExecuteAsync(http);
    }

    private static bool IsPageNavigation(HttpRequest request, ConsoleOptions settings) =>
        HttpMethods.IsGet(request.Method)
        && request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true)
        && (request.Path.StartsWithSegments(settings.PathBase) || IsSignInPath(request.Path, settings));

    /// <summary>A page outside the console that is behind its sign-in (the Orleans dashboard).</summary>
    private static bool IsSignInPath(PathString path, ConsoleOptions settings) => settings.SignInPaths.Any(p => path.StartsWithSegments(p));

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    internal sealed record SessionAnswer(bool SignedIn, string? Name, string[] Roles, string AntiforgeryToken, DateTimeOffset? ExpiresAt, string? Dashboard);

    internal sealed record SignInRequest(string? ApiKey);

    internal sealed record SignInAnswer(string Name, string[] Roles);
}

/// <summary>The console's error codes (the API's shape, answered through <see cref="ConsoleOptions.Problem"/>).</summary>
public static class ConsoleErrors
{
    public const string AntiforgeryTokenInvalid = "ANTIFORGERY_TOKEN_INVALID";
    public const string InvalidApiKey = "INVALID_API_KEY";
    public const string MissingRequiredField = "MISSING_REQUIRED_FIELD";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Forbidden = "FORBIDDEN";
}

/// <summary>The security headers of the console's pages (a strict CSP: no inline script or style, nothing from elsewhere) and
/// of other pages behind its sign-in (only framing and sniffing: the Orleans dashboard brings its own scripts).</summary>
internal static class SecurityHeaders
{
    private const string PagePolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static void ForPages(IHeaderDictionary headers)
    {
        headers.ContentSecurityPolicy = PagePolicy;
        Common(headers);
    }

    public static void ForFramedElsewhere(IHeaderDictionary headers)
    {
        headers.ContentSecurityPolicy = "frame-ancestors 'none'";
        Common(headers);
    }

    private static void Common(IHeaderDictionary headers)
    {
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
    }
}
