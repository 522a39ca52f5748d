using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.Server;

/// <summary>
/// Authenticates <c>X-Api-Key: KEY</c> or <c>Authorization: Bearer KEY</c> against the <see cref="ApiKeyRing"/>.
/// An admin key carries the admin, operator and viewer roles. Unknown and wrong keys get the same 401; the key
/// is never logged (only the matched entry's name is put on the principal).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRing ring)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (ring.Find(presented) is not { } entry)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Principal(entry, SchemeName), SchemeName)));
    }

    /// <summary>The claim naming the key entry a principal was made from (<see cref="ApiKeyRing.Fingerprint"/>).</summary>
    public const string KeyClaim = "zt:key";

    /// <summary>A key's principal: its name, each role up to its own (admin carries operator and viewer), its fingerprint.</summary>
    internal static ClaimsPrincipal Principal(ApiKeyEntry entry, string authenticationType)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, entry.Name), new(KeyClaim, ApiKeyRing.Fingerprint(entry)) };
        foreach (var role in Enum.GetValues<ApiRole>().Where(r => r <= entry.Role))
        {
            claims.Add(new Claim(ClaimTypes.Role, ApiKeyRing.RoleName(role)));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\", Bearer";
        await ApiErrors.Problem(StatusCodes.Status401Unauthorized, ApiErrors.Unauthorized,
            $"A valid API key is required (header {HeaderName} or Authorization: Bearer).").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await ApiErrors.Problem(StatusCodes.Status403Forbidden, ApiErrors.Forbidden,
            "This API key's role does not allow this operation.").ExecuteAsync(Context);

    internal static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers[HeaderName] is { Count: > 0 } header && !string.IsNullOrEmpty(header[0]))
        {
            return header[0];
        }

        var authorization = request.Headers.Authorization.FirstOrDefault();
        return authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;
    }
}
