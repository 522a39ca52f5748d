using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(ZinTrust.Workers.WebConsole.Tests.Chromium))]

namespace ZinTrust.Workers.WebConsole.Tests;

/// <summary>
/// One Chromium for the whole run: Debian's <c>chromium</c> package (the test command installs it), driven by Playwright
/// through <c>ExecutablePath</c> (Playwright's own browser download is not used). ZT_CHROMIUM names another binary.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("ZT_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"Chromium is not at {ExecutablePath}: run the tests through ./infra/test.sh, which installs Debian's chromium package.");
        }

        // Pages poll and stream; an expectation waits for them up to this long (it passes as soon as it holds).
        Assertions.SetDefaultExpectTimeout(20_000);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // The sandbox needs user namespaces a root CI container does not give.
            Args = Environment.UserName == "root" ? ["--no-sandbox"] : [],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
    }
}
