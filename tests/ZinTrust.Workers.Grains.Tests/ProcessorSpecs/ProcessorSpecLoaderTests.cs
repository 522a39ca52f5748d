using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>Path specs stay inside WORKER_PROCESSOR_ROOT, and bytes without the spec's digest are never loaded.</summary>
public sealed class ProcessorSpecLoaderTests : IDisposable
{
    private readonly string root = SpecAssembly.NewRoot();
    private readonly string outside = Directory.CreateTempSubdirectory("zt-spec-outside-").FullName;

    [Fact]
    public async Task PathSpec_IsRefused_WhenItHasADotDotSegment()
    {
        File.Copy(SpecAssembly.SourcePath, Path.Combine(outside, SpecAssembly.FileName));
        using var loader = Loader(root);
        var path = Path.Combine("..", Path.GetFileName(outside), SpecAssembly.FileName);

        var error = await Assert.ThrowsAsync<WorkersException>(() => loader.AcquireAsync(PathSpec(path, SpecAssembly.Sha256), TestContext.Current.CancellationToken));

        Assert.Equal(WorkersErrorCodes.ProcessorSpecRefused, error.Code);
    }

    [Fact]
    public async Task PathSpec_IsRefused_WhenItIsAnAbsolutePathOutsideTheRoot()
    {
        var file = Path.Combine(outside, SpecAssembly.FileName);
        File.Copy(SpecAssembly.SourcePath, file);
        using var loader = Loader(root);

        var error = await Assert.ThrowsAsync<WorkersException>(() => loader.AcquireAsync(PathSpec(file, SpecAssembly.Sha256), TestContext.Current.CancellationToken));

        Assert.Equal(WorkersErrorCodes.ProcessorSpecRefused, error.Code);
        Assert.Contains("outside WORKER_PROCESSOR_ROOT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PathSpec_IsRefused_WhenASymbolicLinkLeadsOutOfTheRoot()
    {
        File.Copy(SpecAssembly.SourcePath, Path.Combine(outside, SpecAssembly.FileName));
        File.CreateSymbolicLink(Path.Combine(root, "linked.dll"), Path.Combine(outside, SpecAssembly.FileName));
        Directory.CreateSymbolicLink(Path.Combine(root, "linked-folder"), outside);
        using var loader = Loader(root);

        var byFile = await Assert.ThrowsAsync<WorkersException>(() => loader.AcquireAsync(PathSpec("linked.dll", SpecAssembly.Sha256), TestContext.Current.CancellationToken));
        var byFolder = await Assert.ThrowsAsync<WorkersException>(() => loader.AcquireAsync(PathSpec("linked-folder/" + SpecAssembly.FileName, SpecAssembly.Sha256), TestContext.Current.CancellationToken));

        Assert.Equal(WorkersErrorCodes.ProcessorSpecRefused, byFile.Code);
        Assert.Equal(WorkersErrorCodes.ProcessorSpecRefused, byFolder.Code);
        Assert.Contains("symbolic link", byFile.Message, StringComparison.Ordinal);
        Assert.Contains("symbolic link", byFolder.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PathSpec_IsRefused_WhenNoRootIsConfigured()
    {
        using var loader = Loader(root: null);

        var error = await Assert.ThrowsAsync<WorkersException>(() => loader.AcquireAsync(PathSpec(SpecAssembly.FileName, SpecAssembly.Sha256), TestContext.Current.CancellationToken));

        Assert.Equal(WorkersErrorCodes.ProcessorSpecRefused, error.Code);
    }

    [Fact]
    public async Task PathSpec_IsNeverLoaded_WhenTheBytesDoNotHaveItsDigest()
    {
        using var loader = Loader(root);
        int copiesBefore = SpecAssembly.LoadedCopies();
        int initialisedBefore = SpecAssembly.Initialisations();

        var error = await Assert.ThrowsAsync<WorkersException>(() => loader.AcquireAsync(PathSpec(SpecAssembly.FileName, SpecAssembly.WrongSha256), TestContext.Current.CancellationToken));

        Assert.Equal(WorkersErrorCodes.ProcessorSpecDigestMismatch, error.Code);
        Assert.True(SpecAssembly.LoadedCopies() <= copiesBefore, "the assembly was loaded although its digest did not match");
        Assert.Equal(initialisedBefore, SpecAssembly.Initialisations());
        Assert.Equal(0, loader.LoadedCount);
    }

    [Fact]
    public async Task PathSpec_LoadsTheProcessorOnce_AndUnloadsIt_WhenTheLastLeaseIsReleased()
    {
        using var loader = Loader(root);
        int copiesBefore = SpecAssembly.LoadedCopies();

        var first = await loader.AcquireAsync(PathSpec(SpecAssembly.FileName, SpecAssembly.Sha256.ToUpperInvariant()), TestContext.Current.CancellationToken);
        var second = await loader.AcquireAsync(PathSpec(SpecAssembly.FileName, SpecAssembly.Sha256), TestContext.Current.CancellationToken);
        using var services = new ServiceCollection().BuildServiceProvider();
        var processor = first.Factory(services);

        Assert.Equal(SpecAssembly.TypeName, processor.GetType().FullName);
        Assert.Same(typeof(IJobProcessor), processor.GetType().GetInterfaces().Single(i => i.Name == nameof(IJobProcessor)));   // the silo's own interface
        Assert.Equal(copiesBefore + 1, SpecAssembly.LoadedCopies());
        Assert.Equal(1, loader.LoadedCount);
        first.Dispose();
        Assert.Equal(1, loader.LoadedCount);
        second.Dispose();
        Assert.Equal(0, loader.LoadedCount);
    }

    [Fact]
    public async Task PathSpec_IsUnavailable_WhenTheNamedTypeIsNotAProcessor()
    {
        using var loader = Loader(root);

        var error = await Assert.ThrowsAsync<WorkersException>(() => loader.AcquireAsync(
            PathSpec(SpecAssembly.FileName, SpecAssembly.Sha256) with { Type = "ZinTrust.Workers.SpecProcessor.Missing" }, TestContext.Current.CancellationToken));

        Assert.Equal(WorkersErrorCodes.ProcessorSpecUnavailable, error.Code);
        Assert.Equal(0, loader.LoadedCount);
    }

    public void Dispose()
    {
        Directory.Delete(root, recursive: true);
        Directory.Delete(outside, recursive: true);
    }

    private static ProcessorSpec PathSpec(string path, string sha256) => new() { Path = path, Sha256 = sha256 };

    private static ProcessorSpecLoader Loader(string? root)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new ProcessorSpecOptions { Root = root });
        var fetcher = new ProcessorSpecFetcher(options, ProcessorFetchSeams.Default, TimeProvider.System, NullLogger<ProcessorSpecFetcher>.Instance);
        return new ProcessorSpecLoader(options, fetcher, new ProcessorSpecCache(options, TimeProvider.System), NullLogger<ProcessorSpecLoader>.Instance);
    }
}
