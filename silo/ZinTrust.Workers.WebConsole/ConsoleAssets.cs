using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ZinTrust.Workers.WebConsole;

/// <summary>
/// The console's files, read once from the assembly's embedded resources (<c>console/…</c>): served with their content
/// type and a strong ETag, revalidated on every load (<c>no-cache</c>), so a new build is never hidden behind a cache.
/// </summary>
internal sealed class ConsoleAssets
{
    private const string Prefix = "console/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".ico"] = "image/x-icon",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, Asset> assets;

    public ConsoleAssets()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var found = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var path = name[Prefix.Length..].Replace('\\', '/');
            if (!ContentTypes.TryGetValue(Path.GetExtension(path), out var contentType))
            {
                continue;   // only the kinds above are served
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            found[path] = new Asset(bytes, contentType, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"");
        }

        assets = found.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<string> Paths => assets.Keys;

    public bool Contains(string path) => assets.ContainsKey(path);

    /// <summary>Writes the asset (304 when the browser's copy is current; 404 for a name that is not one).</summary>
    public IResult Serve(string path, HttpContext http)
    {
        if (!assets.TryGetValue(path, out var asset))
        {
            return Results.NotFound();
        }

        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.ETag = asset.ETag;
        var presented = http.Request.Headers.IfNoneMatch;
        if (presented.Count > 0 && EntityTagHeaderValue.TryParseList(presented, out var tags) && tags.Any(t => t.Tag == asset.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Bytes, asset.ContentType);
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
