using System.IO.Compression;
using System.Xml.Linq;

namespace ZinTrust.Workers.Integration.Tests.Packaging;

/// <summary>The NuGet packages: one version, their metadata, symbols, the tool, and a client package that works on its own.</summary>
public sealed class PackageTests(PackedFeed feed, PackageTests.ShippedSilo silo) : IClassFixture<PackedFeed>, IClassFixture<PackageTests.ShippedSilo>
{
    /// <summary>The shipped silo, everything in memory: what the fresh project's client connects to.</summary>
    public sealed class ShippedSilo : SiloProcess;

    [Fact]
    public void Pack_ProducesEveryPackage_WithOneVersion_Metadata_AndSymbols()
    {
        var versions = new HashSet<string>();
        foreach (var id in PackedFeed.PackageIds)
        {
            var package = Assert.Single(System.IO.Directory.GetFiles(feed.Directory, $"{id}.*.nupkg"), p => IsPackageOf(p, id));
            using var zip = ZipFile.OpenRead(package);
            var nuspec = Nuspec(zip, id);
            XNamespace ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            versions.Add(metadata.Element(ns + "version")!.Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value), $"{id}: no description");
            Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
            Assert.Equal("expression", metadata.Element(ns + "license")?.Attribute("type")?.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
            Assert.NotNull(zip.GetEntry("README.md"));
            var repository = metadata.Element(ns + "repository");
            Assert.True(repository?.Attribute("url")?.Value is { Length: > 0 }, $"{id}: no repository url");
            Assert.Equal("git", repository!.Attribute("type")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "authors")?.Value), $"{id}: no authors");

            // Symbols beside it: a portable PDB for every assembly the package carries.
            var symbols = Path.ChangeExtension(package, ".snupkg");
            Assert.True(File.Exists(symbols), $"{id}: no symbol package");
            using var symbolZip = ZipFile.OpenRead(symbols);
            foreach (var assembly in zip.Entries.Where(e => e.FullName.EndsWith($"{id}.dll", StringComparison.Ordinal)))
            {
                var pdb = symbolZip.GetEntry(Path.ChangeExtension(assembly.FullName, ".pdb"));
                Assert.True(pdb is not null, $"{id}: no PDB for {assembly.FullName}");
                using var stream = pdb.Open();
                var signature = new byte[4];
                stream.ReadExactly(signature);
                Assert.Equal("BSJB"u8.ToArray(), signature);   // the portable PDB's metadata signature
            }
        }

        Assert.Single(versions);
    }

    [Fact]
    public void ClientPackage_DoesNotForcePostgreSqlOnItsUsers_AndTheToolIsATool()
    {
        Assert.DoesNotContain(Dependencies("ZinTrust.Workers.Client"), d => d is "Npgsql" or "Microsoft.Orleans.Clustering.AdoNet" or "ZinTrust.Workers.PostgreSql");
        Assert.Contains("ZinTrust.Workers.Abstractions", Dependencies("ZinTrust.Workers.Client"));
        Assert.Contains("Npgsql", Dependencies("ZinTrust.Workers.Client.PostgreSql"));
        Assert.Contains("ZinTrust.Workers.Client", Dependencies("ZinTrust.Workers.Client.PostgreSql"));

        using var tool = ZipFile.OpenRead(PackagePath("ZinTrust.Workers.Cli"));
        var nuspec = Nuspec(tool, "ZinTrust.Workers.Cli");
        XNamespace ns = nuspec.Root!.Name.Namespace;
        Assert.Contains(nuspec.Descendants(ns + "packageType"), t => t.Attribute("name")?.Value == "DotnetTool");
        var settings = tool.Entries.Single(e => e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
        using var reader = new StreamReader(settings.Open());
        Assert.Contains("<Command Name=\"zin\"", reader.ReadToEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientPackage_FromTheFeed_EnqueuesAJob_FromAFreshConsoleProject()
    {
        var ct = TestContext.Current.CancellationToken;
        // Outside the repository, so none of its build files apply: a user's project.
        var project = System.IO.Directory.CreateTempSubdirectory("zt-fresh-client-").FullName;
        try
        {
            var version = Version("ZinTrust.Workers.Client");
            // Packages restore from the feed (ours) and the machine's usual sources; what the machine already has is used
            // from its global folder, and ours land in a folder of this project, so a rebuilt package of the same version
            // is never served stale from a cache.
            var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
                ? configured
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            await File.WriteAllTextAsync(Path.Combine(project, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="zintrust-local" value="{feed.Directory}" />
                  </packageSources>
                </configuration>
                """, ct);
            await File.WriteAllTextAsync(Path.Combine(project, "FreshClient.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <RestorePackagesPath>{Path.Combine(project, "packages")}</RestorePackagesPath>
                    <RestoreAdditionalProjectFallbackFolders>{globalPackages}</RestoreAdditionalProjectFallbackFolders>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="ZinTrust.Workers.Client" Version="{version}" />
                  </ItemGroup>
                </Project>
                """, ct);
            await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), """
                using Microsoft.Extensions.DependencyInjection;
                using Microsoft.Extensions.Hosting;
                using ZinTrust.Workers.Abstractions;
                using ZinTrust.Workers.Client;

                var builder = Host.CreateApplicationBuilder();
                builder.AddZinTrustWorkersClient(o => o.GatewayPort = int.Parse(args[0]));
                using var host = builder.Build();
                await host.StartAsync();
                var workers = host.Services.GetRequiredService<IWorkerManager>();
                await workers.RegisterAsync(new WorkerDefinition { Name = "fresh-echo", QueueName = "fresh-q", Processor = "echo" });
                await workers.StartAsync("fresh-echo");
                var queue = host.Services.GetRequiredService<IJobQueueFactory>().Get<Dictionary<string, string>>("fresh-q");
                var ack = await queue.EnqueueAsync(new Dictionary<string, string> { ["hello"] = "from a package" });
                var echoed = await queue.WaitForResultAsync<Dictionary<string, string>>(ack.JobId, TimeSpan.FromSeconds(60));
                Console.WriteLine($"RESULT {ack.JobId} {echoed["hello"]}");
                await host.StopAsync();
                """, ct);

            var (exitCode, output) = await DotnetCommand.RunAsync(
                project, ["run", "--", silo.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromMinutes(5), ct);

            Assert.True(exitCode == 0, $"the fresh project failed ({exitCode}):\n{output}\nsilo:\n{silo.Log}");
            var line = Assert.Single(output.Split('\n'), l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Trim();
            Assert.EndsWith(" from a package", line, StringComparison.Ordinal);
            var jobId = line.Split(' ')[1];
            var job = await silo.GetJsonAsync($"/api/queues/fresh-q/jobs/{jobId}");
            Assert.Equal("completed", job.GetProperty("state").GetString());
            Assert.True(File.Exists(Path.Combine(project, "packages", "zintrust.workers.client", version, $"zintrust.workers.client.{version}.nupkg")),
                "the client came from the feed, not from a project reference");
        }
        finally
        {
            System.IO.Directory.Delete(project, recursive: true);
        }
    }

    private static bool IsPackageOf(string path, string id)
    {
        // ZinTrust.Workers.Client.0.9.0.nupkg, not ZinTrust.Workers.Client.PostgreSql.0.9.0.nupkg.
        var rest = Path.GetFileName(path)[(id.Length + 1)..];
        return char.IsDigit(rest[0]) && !rest.EndsWith(".symbols.nupkg", StringComparison.Ordinal);
    }

    private string PackagePath(string id) =>
        System.IO.Directory.GetFiles(feed.Directory, $"{id}.*.nupkg").Single(p => IsPackageOf(p, id));

    private static XDocument Nuspec(ZipArchive zip, string id)
    {
        var entry = zip.GetEntry($"{id}.nuspec");
        Assert.True(entry is not null, $"{id}: no nuspec");
        using var stream = entry.Open();
        return XDocument.Load(stream);
    }

    private string Version(string id)
    {
        using var zip = ZipFile.OpenRead(PackagePath(id));
        var nuspec = Nuspec(zip, id);
        return nuspec.Root!.Element(nuspec.Root.Name.Namespace + "metadata")!.Element(nuspec.Root.Name.Namespace + "version")!.Value;
    }

    private string[] Dependencies(string id)
    {
        using var zip = ZipFile.OpenRead(PackagePath(id));
        var nuspec = Nuspec(zip, id);
        return [.. nuspec.Descendants(nuspec.Root!.Name.Namespace + "dependency").Select(d => d.Attribute("id")!.Value).Distinct()];
    }
}
