using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace ZinTrust.Workers.WebConsole;

/// <summary>How the console signs people in and answers errors. Bound once at start by the host.</summary>
public sealed class ConsoleOptions
{
    /// <summary>The authentication scheme of the console's session cookie.</summary>
    public const string CookieScheme = "ZinTrustConsole";

    /// <summary>The header a signed-in page sends its antiforgery token in, on every state-changing request.</summary>
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";

    /// <summary>Where the console's pages are served (no trailing slash).</summary>
    public string PathBase { get; set; } = "/ui";

    /// <summary>How long a session lasts without activity; each request in its second half renews it.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Whether the cookies are marked Secure whatever the request's scheme (true outside Development).</summary>
    public bool SecureCookies { get; set; } = true;

    /// <summary>The scheme that answers API clients (no console cookie, not a page navigation) when they are refused.</summary>
    public string? ApiScheme { get; set; }

    /// <summary>Other paths whose browser navigations go to the sign-in page when refused (the Orleans dashboard).</summary>
    public IList<string> SignInPaths { get; } = [];

    /// <summary>Builds an error response with a stable code; the host supplies its own shape.</summary>
    public Func<int, string, string, IResult> Problem { get; set; } = static (status, code, message) =>
        Results.Problem(statusCode: status, title: code, detail: message);
}

/// <summary>Checks the API key a person signs in with, and whether a session's key still holds.</summary>
public interface IConsoleCredentials
{
    /// <summary>The principal (name and role claims) of a valid key; null for an unknown key.</summary>
    ClaimsPrincipal? Authenticate(string apiKey);

    /// <summary>False once the key the session was opened with is gone or its role has dropped below the session's.</summary>
    bool StillValid(ClaimsPrincipal principal);
}
