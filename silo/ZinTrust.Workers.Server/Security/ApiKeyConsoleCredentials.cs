using System.Security.Claims;
using ZinTrust.Workers.WebConsole;

namespace ZinTrust.Workers.Server;

/// <summary>The console signs people in with the API keys of <see cref="ApiKeyRing"/>: a session carries the key's name, roles
/// and fingerprint, and ends when the ring no longer holds that key with at least the session's roles.</summary>
internal sealed class ApiKeyConsoleCredentials(ApiKeyRing ring) : IConsoleCredentials
{
    public ClaimsPrincipal? Authenticate(string apiKey) =>
        ring.Find(apiKey) is { } entry ? ApiKeyAuthenticationHandler.Principal(entry, ConsoleOptions.CookieScheme) : null;

    public bool StillValid(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.FindFirst(ApiKeyAuthenticationHandler.KeyClaim)?.Value is not { } fingerprint || ring.FindByFingerprint(fingerprint) is not { } entry)
        {
            return false;
        }

        return principal.FindAll(ClaimTypes.Role).All(c => ApiKeyRing.ParseRole(c.Value) is { } role && role <= entry.Role);
    }
}
