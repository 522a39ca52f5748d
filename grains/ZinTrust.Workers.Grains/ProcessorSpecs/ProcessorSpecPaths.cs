namespace ZinTrust.Workers.Grains;

/// <summary>
/// Turns a path spec into a file inside WORKER_PROCESSOR_ROOT: no '..' segment, no absolute path outside the root, and no
/// symbolic link (of the file or of any folder on the way) that leads out of it. The digest, checked after reading, is what
/// pins the bytes: someone who can write inside the root can change which file a path names, not what a worker runs.
/// </summary>
internal static class ProcessorSpecPaths
{
    private const int MaxLinks = 40;

    private static StringComparison PathComparison => OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>The real (link-free) full path <paramref name="path"/> names under <paramref name="root"/>.</summary>
    public static string Resolve(string? root, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrEmpty(root))
        {
            throw ProcessorSpecFetcher.Refused("path specs are off on this silo (WORKER_PROCESSOR_ROOT is not set).");
        }

        if (path.Split('/', '\\').Contains(".."))
        {
            throw ProcessorSpecFetcher.Refused($"'{path}' has a '..' segment; paths stay inside WORKER_PROCESSOR_ROOT.");
        }

        var realRoot = RealPath(Path.GetFullPath(root), 0);
        var candidate = Path.GetFullPath(Path.Combine(realRoot, path));   // an absolute path stays as given, and is checked like any other
        if (!Inside(realRoot, candidate))
        {
            throw ProcessorSpecFetcher.Refused($"'{path}' is outside WORKER_PROCESSOR_ROOT.");
        }

        var real = RealPath(candidate, 0);
        if (!Inside(realRoot, real))
        {
            throw ProcessorSpecFetcher.Refused($"'{path}' leads outside WORKER_PROCESSOR_ROOT through a symbolic link.");
        }

        return real;
    }

    private static bool Inside(string root, string path) =>
        path.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, PathComparison);

    /// <summary><paramref name="fullPath"/> with every symbolic link on it followed (relative targets from the link's folder).</summary>
    private static string RealPath(string fullPath, int depth)
    {
        if (depth > MaxLinks)
        {
            throw ProcessorSpecFetcher.Refused("too many symbolic links.");
        }

        var root = Path.GetPathRoot(fullPath) ?? "";
        var current = root;
        foreach (var part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            current = info.LinkTarget is { } target ? RealPath(Path.GetFullPath(target, current), depth + 1) : next;
        }

        return current;
    }
}
