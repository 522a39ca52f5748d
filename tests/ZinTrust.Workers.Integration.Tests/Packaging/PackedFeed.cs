namespace ZinTrust.Workers.Integration.Tests.Packaging;

/// <summary>
/// <c>dotnet pack</c> of the solution as the tests were built (no rebuild), once for the test class, into
/// <c>artifacts/packages</c>: the feed the packaging tests read and a fresh project installs from.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    /// <summary>Every package the solution ships, by id.</summary>
    public static readonly string[] PackageIds =
    [
        "ZinTrust.Workers.Abstractions", "ZinTrust.Workers.Client", "ZinTrust.Workers.Client.PostgreSql", "ZinTrust.Workers.Cli",
        "ZinTrust.Workers.Grains", "ZinTrust.Workers.PostgreSql", "ZinTrust.Workers.Redis", "ZinTrust.Workers.Server",
        "ZinTrust.Workers.WebConsole",
    ];

    public string Directory { get; } = Path.Combine(Repository.Root, "artifacts", "packages");

    public string Output { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }

        var (exitCode, output) = await DotnetCommand.RunAsync(
            Repository.Root,
            ["pack", "ZinTrust.Orleans.sln", "--no-build", "-c", Repository.BuildConfiguration, "-o", Directory, "-nologo"],
            TimeSpan.FromMinutes(5),
            TestContext.Current.CancellationToken);
        Output = output;
        Assert.True(exitCode == 0, $"dotnet pack failed ({exitCode}):\n{output}");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
