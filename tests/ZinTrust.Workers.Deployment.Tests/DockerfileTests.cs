using System.Globalization;

namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>infra/docker/Dockerfile, read statically: no image is built here (no registry is reachable to pull the base
/// images from). <see cref="PublishedHostTests"/> runs what the image runs.</summary>
public sealed class DockerfileTests
{
    private static readonly string[] RootBuildInputs = ["global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig"];

    private readonly Dockerfile dockerfile = Dockerfile.Load();

    [Fact]
    public void Dockerfile_CopiesOnlyPathsThatExist_AndThatTheContextKeeps()
    {
        var ignore = DockerIgnore.Load();
        var sources = ContextSources().ToArray();
        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            var path = Path.Combine(Repository.Root, source);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY {source}: no such file or folder in the repository.");
            Assert.True(ignore.Excluding(source) is null, $"COPY {source}: {DockerIgnore.DefaultPath} leaves it out of the context ({ignore.Excluding(source)}).");
        }
    }

    [Fact]
    public void Dockerfile_CopiesEveryProjectTheSiloBuildsFrom_AndTheRootBuildSettings()
    {
        var sources = ContextSources().Select(s => s.TrimEnd('/')).ToArray();
        bool Copied(string relative) => sources.Any(s => s == "." || relative == s || relative.StartsWith(s + "/", StringComparison.Ordinal));

        foreach (var project in SiloProject.WithReferences())
        {
            var folder = SiloProject.Relative(Path.GetDirectoryName(project)!);
            Assert.True(Copied(folder), $"the silo builds {SiloProject.Relative(project)}, but no COPY brings {folder}/ into the build stage.");
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(project)!, "packages.lock.json")), $"{folder} has no packages.lock.json: the locked restore in the image would fail.");
        }

        foreach (var file in RootBuildInputs.Where(f => File.Exists(Path.Combine(Repository.Root, f))))
        {
            Assert.True(Copied(file), $"the build reads {file}, but no COPY brings it into the build stage.");
        }
    }

    [Fact]
    public void BuildStage_RestoresLocked_ThenPublishesTheSiloProjectWithoutRestoringAgain()
    {
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", dockerfile.Stages[0].Image);
        var run = string.Join(" && ", dockerfile.Stages[0].All("RUN"));
        var commands = run.Split("&&", StringSplitOptions.TrimEntries).Select(c => Dockerfile.Words(c).SkipWhile(w => w.StartsWith("--", StringComparison.Ordinal)).ToArray()).ToArray();

        var restore = Assert.Single(commands, c => c is ["dotnet", "restore", ..]);
        Assert.Contains("--locked-mode", restore);
        Assert.Equal(SiloProject.RelativePath, restore[2]);

        var publish = Assert.Single(commands, c => c is ["dotnet", "publish", ..]);
        Assert.Equal(SiloProject.RelativePath, publish[2]);
        Assert.True(File.Exists(Path.Combine(Repository.Root, publish[2])), $"dotnet publish {publish[2]}: no such project.");
        Assert.Contains("--no-restore", publish);   // else publish would restore again, unlocked
        Assert.Equal("Release", Option(publish, "-c"));
        Assert.Contains("--no-self-contained", publish);

        // The runtime stage takes exactly the publish output.
        var output = Option(publish, "-o");
        var copy = Assert.Single(dockerfile.Runtime.Copies, c => c.From is not null);
        Assert.Equal(dockerfile.Stages[0].Name, copy.From);
        Assert.Equal([output], copy.Sources);
    }

    [Fact]
    public void Entrypoint_RunsTheSiloAssembly_FromTheWorkingDirectory()
    {
        var entrypoint = Dockerfile.ExecForm(dockerfile.Runtime.Last("ENTRYPOINT") ?? "") ?? [];
        Assert.Equal(["dotnet", SiloProject.AssemblyName + ".dll"], entrypoint);
        Assert.Equal("/app", dockerfile.Runtime.Last("WORKDIR"));
        Assert.Null(dockerfile.Runtime.Last("CMD"));   // `docker run IMAGE migrate` passes the command to the host
    }

    [Fact]
    public void Expose_ListsTheHttpSiloAndGatewayPorts_TheImageConfigures()
    {
        var reference = ConfigurationReference.Load();
        var env = dockerfile.Runtime.Environment;
        int Port(string name) => int.Parse(env.TryGetValue(name, out var value) ? value : reference.Default(name), CultureInfo.InvariantCulture);

        var exposed = dockerfile.Runtime.All("EXPOSE")
            .SelectMany(Dockerfile.Words)
            .Select(p => int.Parse(p.Split('/')[0], CultureInfo.InvariantCulture))
            .Order()
            .ToArray();
        Assert.Equal(new[] { Port("PORT"), Port("SILO_PORT"), Port("GATEWAY_PORT") }.Order(), exposed);
    }

    [Fact]
    public void Env_SetsOnlyDocumentedVariables_WithWhatAContainerNeeds()
    {
        var reference = ConfigurationReference.Load();
        foreach (var stage in dockerfile.Stages)
        {
            foreach (var name in stage.Environment.Keys)
            {
                Assert.True(reference.Documents(name), $"ENV {name} is not in {ConfigurationReference.Path}.");
            }
        }

        var env = dockerfile.Runtime.Environment;
        Assert.Equal("0.0.0.0", env["WORKER_API_HOST"]);     // reachable from outside the container
        Assert.Equal("true", env["SILO_LISTEN_ANY"]);        // the advertised address is the pod's or the container's
        Assert.Equal("json", env["LOG_FORMAT"]);
    }

    [Fact]
    public void RuntimeStage_RunsAsTheImagesNonRootUser_AndStopsOnSigterm()
    {
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", dockerfile.Runtime.Image);
        var user = dockerfile.Runtime.Last("USER");
        Assert.NotNull(user);
        Assert.DoesNotContain(user.Split(':')[0], new[] { "root", "0" });
        Assert.Equal("$APP_UID", user);   // the aspnet image's numeric non-root uid, which runAsNonRoot can verify
        Assert.Equal("SIGTERM", dockerfile.Runtime.Last("STOPSIGNAL"));

        // No HEALTHCHECK that needs a tool the aspnet image lacks.
        foreach (var check in dockerfile.Stages.SelectMany(s => s.All("HEALTHCHECK")))
        {
            Assert.DoesNotContain("curl", check, StringComparison.Ordinal);
            Assert.DoesNotContain("wget", check, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SdkContainerProperties_MatchTheDockerfilesRuntimeStage()
    {
        // `dotnet publish -t:PublishContainer` builds the same image as the Dockerfile: base, ports, variables, user.
        var project = System.Xml.Linq.XDocument.Load(SiloProject.FullPath);
        string? Property(string name) => project.Descendants(name).SingleOrDefault()?.Value;
        Assert.Equal(dockerfile.Runtime.Image, Property("ContainerBaseImage"));
        Assert.Equal("app", Property("ContainerUser"));   // the aspnet image's non-root user ($APP_UID in the Dockerfile)
        var ports = project.Descendants("ContainerPort").Select(p => int.Parse(p.Attribute("Include")!.Value, CultureInfo.InvariantCulture)).Order();
        var exposed = dockerfile.Runtime.All("EXPOSE").SelectMany(Dockerfile.Words).Select(p => int.Parse(p.Split('/')[0], CultureInfo.InvariantCulture)).Order();
        Assert.Equal(exposed, ports);
        var variables = project.Descendants("ContainerEnvironmentVariable").ToDictionary(v => v.Attribute("Include")!.Value, v => v.Attribute("Value")!.Value);
        Assert.Equal(dockerfile.Runtime.Environment.OrderBy(e => e.Key), variables.OrderBy(e => e.Key));
    }

    [Theory]
    [InlineData("silo/ZinTrust.Workers.Silo/bin/Release/net10.0/ZinTrust.Workers.Silo.dll")]
    [InlineData("grains/ZinTrust.Workers.Grains/obj/project.assets.json")]
    [InlineData(".data/redis-16379/appendonlydir/appendonly.aof.1.incr.aof")]
    [InlineData("artifacts/test-results/dotnet-test.log")]
    [InlineData(".git/HEAD")]
    [InlineData("infra/docker/.env")]
    public void Dockerignore_LeavesOutOfTheContext(string path) =>
        Assert.NotNull(DockerIgnore.Load().Excluding(path));

    /// <summary>The sources of COPY and ADD instructions that read the build context (not another stage).</summary>
    private IEnumerable<string> ContextSources() =>
        dockerfile.Stages.SelectMany(s => s.Copies).Where(c => c.From is null).SelectMany(c => c.Sources);

    private static string Option(string[] words, string name)
    {
        var at = Array.IndexOf(words, name);
        Assert.True(at >= 0 && at + 1 < words.Length, $"{string.Join(' ', words)}: no {name} option.");
        return words[at + 1];
    }
}
