using System.Net.Http;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Loads processor specs on this silo: reads the file (under WORKER_PROCESSOR_ROOT) or fetches the address (through
/// <see cref="ProcessorSpecFetcher"/> and its cache), checks the bytes' SHA-256 against the spec before anything is loaded,
/// loads them into their own collectible <see cref="ProcessorLoadContext"/> and picks the processor class. Replicas hold
/// leases; when the last one is released (the worker's spec changed, it stopped or was deleted) the context is unloaded,
/// which the runtime completes once nothing references its code any more.
/// </summary>
internal sealed partial class ProcessorSpecLoader(
    IOptions<ProcessorSpecOptions> options,
    ProcessorSpecFetcher fetcher,
    ProcessorSpecCache cache,
    ILogger<ProcessorSpecLoader> logger) : IDisposable
{
    private readonly ProcessorSpecOptions settings = options.Value;
    private readonly SemaphoreSlim loading = new(1, 1);
    private readonly Lock gate = new();
    private readonly Dictionary<string, Loaded> loaded = new(StringComparer.Ordinal);

    /// <summary>Specs loaded on this silo now (held by at least one replica).</summary>
    public int LoadedCount
    {
        get
        {
            lock (gate)
            {
                return loaded.Count;
            }
        }
    }

    /// <summary>A lease on the spec's processor, loading it first unless a replica on this silo holds it already.</summary>
    public async Task<ProcessorLease> AcquireAsync(ProcessorSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (WorkerValidation.CheckProcessorSpec(spec) is { } invalid)
        {
            throw invalid.ToException();
        }

        var digest = spec.Sha256.ToLowerInvariant();
        var key = string.Join('\n', spec.Path ?? "", spec.Url ?? "", digest, spec.Type ?? "");
        await loading.WaitAsync(cancellationToken);
        try
        {
            Loaded? entry;
            lock (gate)
            {
                if (loaded.TryGetValue(key, out entry))
                {
                    entry.References++;
                    return Lease(key, entry);
                }
            }

            var bytes = await ReadAsync(spec, digest, cancellationToken);
            entry = Load(spec, digest, bytes);
            lock (gate)
            {
                loaded[key] = entry;
                entry.References++;
                return Lease(key, entry);
            }
        }
        finally
        {
            loading.Release();
        }
    }

    public void Dispose() => loading.Dispose();

    private ProcessorLease Lease(string key, Loaded entry) => new(entry.Factory, () => Release(key, entry));

    private void Release(string key, Loaded entry)
    {
        lock (gate)
        {
            if (--entry.References > 0 || !loaded.Remove(key))
            {
                return;
            }
        }

        LogUnloading(logger, entry.Context.Name ?? "", entry.Type);
        entry.Context.Unload();
    }

    /// <summary>The spec's bytes, their digest checked: nothing with another digest leaves this method.</summary>
    private async Task<byte[]> ReadAsync(ProcessorSpec spec, string digest, CancellationToken cancellationToken)
    {
        if (spec.Path is { } path)
        {
            var file = ProcessorSpecPaths.Resolve(settings.Root, path);
            byte[] content;
            try
            {
                var length = new FileInfo(file).Length;
                content = length <= settings.FetchMaxSize
                    ? await File.ReadAllBytesAsync(file, cancellationToken)
                    : throw ProcessorSpecFetcher.Unavailable($"'{path}' is larger than PROCESSOR_FETCH_MAX_SIZE ({settings.FetchMaxSize} bytes).");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw ProcessorSpecFetcher.Unavailable($"'{path}' cannot be read under WORKER_PROCESSOR_ROOT ({ex.GetType().Name}).");
            }

            Verify(spec, digest, content);
            return content;
        }

        var url = new Uri(spec.Url!);
        fetcher.EnsureAllowed(url);   // before the cache too: a host taken off the list stops loading at once
        if (cache.TryGet(spec.Url!, digest) is { } cached)
        {
            if (Matches(cached, digest))
            {
                return cached;
            }

            cache.Remove(spec.Url!, digest);
        }

        byte[] fetched;
        TimeSpan? maxAge;
        try
        {
            (fetched, maxAge) = await fetcher.FetchAsync(url, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or IOException)
        {
            throw ProcessorSpecFetcher.Unavailable($"{ProcessorSpecFetcher.Shown(url)} could not be fetched after {settings.FetchRetryAttempts + 1} tries: {ex.Message}");
        }

        Verify(spec, digest, fetched);
        cache.Put(spec.Url!, digest, fetched, maxAge);
        return fetched;
    }

    private void Verify(ProcessorSpec spec, string digest, byte[] bytes)
    {
        if (!Matches(bytes, digest))
        {
            LogDigestMismatch(logger, Where(spec));
            throw new WorkersException(WorkersErrorCodes.ProcessorSpecDigestMismatch,
                $"Processor spec refused: the bytes of '{Where(spec)}' do not have the SHA-256 the spec gives ({digest}); nothing was loaded.");
        }
    }

    private static bool Matches(byte[] bytes, string digest) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(bytes), Convert.FromHexString(digest));

    private Loaded Load(ProcessorSpec spec, string digest, byte[] bytes)
    {
        var context = new ProcessorLoadContext($"processor-spec:{digest[..16]}");
        try
        {
            using var image = new MemoryStream(bytes, writable: false);
            var assembly = context.LoadFromStream(image);
            var type = ProcessorType(assembly, spec);
            LogLoaded(logger, Where(spec), type.FullName ?? type.Name, context.Name ?? "");
            return new Loaded(context, type.FullName ?? type.Name, sp => (IJobProcessor)ActivatorUtilities.CreateInstance(sp, type));
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or FileNotFoundException or TypeLoadException or ReflectionTypeLoadException or WorkersException)
        {
            context.Unload();
            throw ex as WorkersException
                ?? ProcessorSpecFetcher.Unavailable($"'{Where(spec)}' is not a .NET assembly this silo can load ({ex.GetType().Name}: {ex.Message})");
        }
    }

    /// <summary>The class named by the spec's type, or the assembly's only public class implementing <see cref="IJobProcessor"/>.</summary>
    private static Type ProcessorType(Assembly assembly, ProcessorSpec spec)
    {
        var candidates = assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false } && typeof(IJobProcessor).IsAssignableFrom(t))
            .ToList();
        if (spec.Type is { } name)
        {
            return candidates.Find(t => t.FullName == name)
                ?? throw ProcessorSpecFetcher.Unavailable($"'{Where(spec)}' has no public class '{name}' implementing IJobProcessor.");
        }

        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw ProcessorSpecFetcher.Unavailable($"'{Where(spec)}' has no public class implementing IJobProcessor."),
            _ => throw ProcessorSpecFetcher.Unavailable(
                $"'{Where(spec)}' has {candidates.Count} public classes implementing IJobProcessor ({string.Join(", ", candidates.Select(t => t.FullName))}); name one with type."),
        };
    }

    /// <summary>The spec's path, or its address without the query (which may carry a token).</summary>
    private static string Where(ProcessorSpec spec) =>
        spec.Url is { } url && Uri.TryCreate(url, UriKind.Absolute, out var address) ? ProcessorSpecFetcher.Shown(address) : spec.Location;

    private sealed class Loaded(ProcessorLoadContext context, string type, Func<IServiceProvider, IJobProcessor> factory)
    {
        public ProcessorLoadContext Context { get; } = context;

        public string Type { get; } = type;

        public Func<IServiceProvider, IJobProcessor> Factory { get; } = factory;

        public int References { get; set; }
    }
}
