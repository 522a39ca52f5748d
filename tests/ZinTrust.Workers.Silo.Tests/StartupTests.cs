using System.Diagnostics;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>The real process: a bad setting stops start-up with a message naming it.</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("WORKER_CONCURRENCY", "abc")]
    [InlineData("LOG_FORMAT", "yaml")]
    [InlineData("WORKER_AUTO_START", "perhaps")]
    public async Task InvalidEnvironmentVariable_StopsStartUp_NamingIt(string variable, string value)
    {
        var silo = Path.Combine(AppContext.BaseDirectory, "ZinTrust.Workers.Silo.dll");
        var start = new ProcessStartInfo("dotnet", [silo])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment[variable] = value;

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains(variable, await stderr, StringComparison.Ordinal);
    }
}
