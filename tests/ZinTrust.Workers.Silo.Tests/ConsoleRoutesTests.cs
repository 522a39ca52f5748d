using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>The console's sign-in, session cookie, antiforgery and headers over HTTP (the pages themselves are driven in
/// Chromium by ZinTrust.Workers.WebConsole.Tests).</summary>
[Collection(nameof(SiloCollection))]
public sealed class ConsoleRoutesTests(SiloFixture fixture)
{
    private static HttpClient Browser(SiloFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });

    private static async Task<string> TokenAsync(HttpClient browser) => (await (await browser.Get("/ui/session")).Json()).Str("antiforgeryToken");

    private static Task<HttpResponseMessage> SignInAsync(HttpClient browser, string key, string? token) =>
        PostAsync(browser, "/ui/session", token, new { apiKey = key });

    /// <summary>A POST as the console makes it: JSON, with the antiforgery header when a token is given.</summary>
    private static async Task<HttpResponseMessage> PostAsync(HttpClient browser, string path, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
        if (token is not null)
        {
            request.Headers.Add("X-CSRF-TOKEN", token);
        }

        return await browser.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task SignIn_NeedsTheAntiforgeryToken_AndAValidKey_AndAnswersWithTheKeysNameAndRoles()
    {
        using var browser = Browser(fixture.Factory);
        var anonymous = await (await browser.Get("/ui/session")).Json();
        Assert.False(anonymous.GetProperty("signedIn").GetBoolean());

        var noToken = await SignInAsync(browser, TestKeys.Operator, token: null);
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Equal("ANTIFORGERY_TOKEN_INVALID", (await noToken.Json()).Str("code"));

        var token = await TokenAsync(browser);
        var empty = await SignInAsync(browser, " ", token);
        Assert.Equal("MISSING_REQUIRED_FIELD", (await empty.Json()).Str("code"));
        var wrong = await SignInAsync(browser, TestKeys.Operator + "x", token);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("INVALID_API_KEY", (await wrong.Json()).Str("code"));

        var ok = await SignInAsync(browser, TestKeys.Operator, token);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var cookie = ok.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("zt_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(TestKeys.Operator, cookie, StringComparison.Ordinal);

        var session = await (await browser.Get("/ui/session")).Json();
        Assert.True(session.GetProperty("signedIn").GetBoolean());
        Assert.Equal("test-operator", session.Str("name"));
        Assert.Equal(["viewer", "operator"], session.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).Order().Reverse().ToArray());
    }

    [Fact]
    public async Task ASession_ReadsTheApi_ButWritesOnlyWithItsAntiforgeryToken_AndWithinItsRole()
    {
        await fixture.Client.PostJson("/api/workers", new { name = "console-w", queueName = "console-q", processor = SiloFactory.EnvelopeProcessor });
        using var viewer = Browser(fixture.Factory);
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(viewer, TestKeys.Viewer, await TokenAsync(viewer))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.Get("/api/workers")).StatusCode);
        var token = await TokenAsync(viewer);   // bound to the signed-in session
        var forbidden = await PostAsync(viewer, "/api/queues/console-q/pause", token);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("FORBIDDEN", (await forbidden.Json()).Str("code"));

        using var operatorSession = Browser(fixture.Factory);
        await SignInAsync(operatorSession, TestKeys.Operator, await TokenAsync(operatorSession));
        var missing = await PostAsync(operatorSession, "/api/queues/console-q/pause", token: null);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("ANTIFORGERY_TOKEN_INVALID", (await missing.Json()).Str("code"));
        var someoneElses = await PostAsync(operatorSession, "/api/queues/console-q/pause", token);
        Assert.Equal("ANTIFORGERY_TOKEN_INVALID", (await someoneElses.Json()).Str("code"));
        var paused = await PostAsync(operatorSession, "/api/queues/console-q/pause", await TokenAsync(operatorSession));
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.True((await (await fixture.Client.Get("/api/queues/console-q")).Json()).GetProperty("paused").GetBoolean());
        await fixture.Client.Post("/api/queues/console-q/resume");

        // Sign-out ends the session for this browser.
        using var signOut = new HttpRequestMessage(HttpMethod.Delete, "/ui/session");
        signOut.Headers.Add("X-CSRF-TOKEN", await TokenAsync(operatorSession));
        Assert.Equal(HttpStatusCode.NoContent, (await operatorSession.SendAsync(signOut, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await operatorSession.Get("/api/workers")).StatusCode);
    }

    [Fact]
    public async Task WithoutASession_APageGoesToSignIn_AndAnApiClientGetsTheApisAnswer()
    {
        using var browser = Browser(fixture.Factory);
        foreach (var page in new[] { "/ui/", "/dashboard/" })
        {
            using var navigation = new HttpRequestMessage(HttpMethod.Get, page);
            navigation.Headers.Accept.ParseAdd("text/html");
            var redirect = await browser.SendAsync(navigation, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
            Assert.Equal($"/ui/signin?returnUrl={Uri.EscapeDataString(page)}", redirect.Headers.Location!.PathAndQuery);
        }

        var api = await browser.Get("/api/workers");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("UNAUTHORIZED", (await api.Json()).Str("code"));
        Assert.NotEmpty(api.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task ThePages_CarryAStrictContentSecurityPolicy_AndTheAssetsRevalidateByETag()
    {
        using var browser = Browser(fixture.Factory);
        var signin = await browser.Get("/ui/signin");
        Assert.Equal(HttpStatusCode.OK, signin.StatusCode);
        var csp = signin.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", signin.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", signin.Headers.GetValues("X-Frame-Options").Single());

        var script = await browser.Get("/ui/assets/app.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/assets/app.js");
        again.Headers.IfNoneMatch.Add(script.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await browser.SendAsync(again, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.Get("/ui/assets/missing.js")).StatusCode);

        // No page holds an inline script or style (the policy would block it).
        foreach (var html in new[] { "/ui/signin" })
        {
            var text = await (await browser.Get(html)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.DoesNotMatch("<script(?![^>]*\\ssrc=)", text);
            Assert.DoesNotContain("style=", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ASession_EndsWhenItsKeyIsNoLongerConfigured()
    {
        // Two hosts sharing the machine's Data Protection keys: the second no longer has the viewer's key.
        using var browser = Browser(fixture.Factory);
        var signedIn = await SignInAsync(browser, TestKeys.Viewer, await TokenAsync(browser));
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("zt_session=", StringComparison.Ordinal)).Split(';')[0];

        // A host with the same keys (another process reading the same key ring) accepts the session...
        await using var same = new SiloFactory();
        Assert.Equal(HttpStatusCode.OK, await WithCookie(same, cookie));

        // ...and one whose configuration dropped the viewer's key refuses it.
        await using var rotated = new SiloFactory(new Dictionary<string, string>
        {
            ["WORKER_API_KEYS"] = ApiKeyRing.Entry("test-admin", ApiRole.Admin, TestKeys.Admin),
        }, withKeys: false);
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookie(rotated, cookie));

        static async Task<HttpStatusCode> WithCookie(SiloFactory host, string cookie)
        {
            using var client = host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/workers");
            request.Headers.Add("Cookie", cookie);
            return (await client.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode;
        }
    }
}
