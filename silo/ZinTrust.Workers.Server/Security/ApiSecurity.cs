using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using ZinTrust.Workers.WebConsole;

namespace ZinTrust.Workers.Server;

/// <summary>Authentication, role policies and per-key rate limits of the REST facade.</summary>
public static class ApiSecurity
{
    /// <summary>Policy names, one per role.</summary>
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    /// <summary>Where the Orleans dashboard is served.</summary>
    public const string DashboardPath = "/dashboard";

    /// <summary>The authenticated API key's name, for the records that say who did something (canary decisions, region
    /// moves); null without one.</summary>
    public static string? CallerName(this HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.User.Identity?.IsAuthenticated == true ? http.User.Identity.Name : null;
    }

    /// <summary>The scheme every request is authenticated by: an API key when the request presents one, else the console's
    /// session cookie (a refused browser page goes to the sign-in page; a refused API client is answered exactly as the key
    /// scheme answers it).</summary>
    public const string Scheme = "ZinTrust";

    public static IServiceCollection AddZinTrustApiSecurity(this IServiceCollection services, HostSettings settings, ApiKeyRing ring, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        services.AddSingleton(ring);
        services.AddSingleton<IConsoleCredentials, ApiKeyConsoleCredentials>();
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key or console session", o => o.ForwardDefaultSelector = http =>
                ApiKeyAuthenticationHandler.PresentedKey(http.Request) is null ? ConsoleOptions.CookieScheme : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddZinTrustConsole(o =>
            {
                o.SecureCookies = settings.ConsoleSecureCookie ?? !environment.IsDevelopment();
                o.SessionLifetime = TimeSpan.FromMinutes(settings.ConsoleSessionMinutes);
                o.ApiScheme = ApiKeyAuthenticationHandler.SchemeName;
                o.Problem = ApiErrors.Problem;
                if (settings.DashboardEnabled)
                {
                    o.SignInPaths.Add(DashboardPath);
                }
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Viewer, p => p.RequireAuthenticatedUser().RequireRole(Viewer))
            .AddPolicy(Operator, p => p.RequireAuthenticatedUser().RequireRole(Operator))
            .AddPolicy(Admin, p => p.RequireAuthenticatedUser().RequireRole(Admin))
            // A route mapped without a policy still needs a key (fail closed); the route × role test catches it.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole(Viewer).Build());
        services.AddSingleton(_ => new WriteRateLimiter(settings.ApiRateLimit, settings.ApiRateBurst));
        return services;
    }

    public static WebApplication UseZinTrustApiSecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseZinTrustConsoleGuard();   // antiforgery for session-cookie writes, before any route runs
        app.UseAuthorization();
        // Not ASP.NET's UseRateLimiter: its middleware always builds a second partitioned limiter for endpoint
        // policies, with its own 100 ms timer, though no endpoint has one here (see WriteRateLimiter).
        var limiter = app.Services.GetRequiredService<WriteRateLimiter>();
        app.Use(async (context, next) =>
        {
            using var lease = limiter.AttemptAcquire(context);
            if (lease.IsAcquired)
            {
                await next(context);
                return;
            }

            var seconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                : 1;
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await ApiErrors.Problem(StatusCodes.Status429TooManyRequests, ApiErrors.RateLimited,
                $"Too many write requests for this API key; retry after {seconds} s.").ExecuteAsync(context);
        });
        return app;
    }

    /// <summary>
    /// The keys the host runs with. Outside Development, no keys is a start-up error; in Development a random admin
    /// key is generated for this run (printed once by the banner, never logged).
    /// </summary>
    public static ApiKeyRing ResolveKeys(HostSettings settings, IHostEnvironment environment, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(problems);
        if (settings.ApiKeys.Count > 0)
        {
            return new ApiKeyRing(settings.ApiKeys);
        }

        if (problems.Any(p => p.StartsWith("WORKER_API_KEYS", StringComparison.Ordinal)))
        {
            return new ApiKeyRing([]);   // the malformed entries are reported already
        }

        if (!environment.IsDevelopment())
        {
            problems.Add("WORKER_API_KEYS: no API keys are configured; set WORKER_API_KEYS or WORKER_API_KEYS_FILE "
                + "(generate an entry with `ZinTrust.Workers.Silo apikey --name NAME --role admin`). Only Development runs without them.");
            return new ApiKeyRing([]);
        }

        var key = ApiKeyRing.NewKey("zt_dev_");
        return new ApiKeyRing([new ApiKeyEntry("development", ApiRole.Admin, Convert.FromHexString(ApiKeyRing.HashHex(key)))], key);
    }

    /// <summary><c>silo apikey [--name NAME] [--role viewer|operator|admin]</c>: prints a new key and its WORKER_API_KEYS entry.</summary>
    public static int NewKeyCommand(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string name = "admin";
        ApiRole role = ApiRole.Admin;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--name" when i + 1 < args.Length && Abstractions.WorkerValidation.IsValidName(args[i + 1]):
                    name = args[++i];
                    break;
                case "--role" when i + 1 < args.Length && ApiKeyRing.ParseRole(args[i + 1]) is { } r:
                    role = r;
                    i++;
                    break;
                default:
                    error.WriteLine($"apikey: unknown or invalid option '{args[i]}'. usage: apikey [--name NAME] [--role viewer|operator|admin]");
                    return 2;
            }
        }

        var key = ApiKeyRing.NewKey();
        output.WriteLine($"key:   {key}");
        output.WriteLine($"entry: {ApiKeyRing.Entry(name, role, key)}");
        output.WriteLine("Give the key to the client (X-Api-Key header, zin --api-key / ZIN_API_KEY); put only the entry in WORKER_API_KEYS.");
        return 0;
    }
}
