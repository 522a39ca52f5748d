using System.Xml.Linq;

namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>The shipped host's project, silo/ZinTrust.Workers.Silo, as the image builds it.</summary>
public static class SiloProject
{
    /// <summary>Relative to the repository root, with '/' as the builder writes paths.</summary>
    public const string RelativePath = "silo/ZinTrust.Workers.Silo/ZinTrust.Workers.Silo.csproj";

    public static string FullPath => Path.Combine(Repository.Root, RelativePath);

    /// <summary>The assembly the project builds: its AssemblyName, else the project file's name.</summary>
    public static string AssemblyName =>
        XDocument.Load(FullPath).Descendants("AssemblyName").LastOrDefault()?.Value
        ?? Path.GetFileNameWithoutExtension(FullPath);

    /// <summary>The project and every project it references, directly or not (full paths of the project files).</summary>
    public static IReadOnlySet<string> WithReferences()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(FullPath)]);
        while (pending.TryPop(out var project))
        {
            if (!seen.Add(project))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(project)!;
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")?.Value.Replace('\\', Path.DirectorySeparatorChar);
                if (include is not null)
                {
                    pending.Push(Path.GetFullPath(Path.Combine(folder, include)));
                }
            }
        }

        return seen;
    }

    /// <summary>A path relative to the repository root, with '/' separators.</summary>
    public static string Relative(string fullPath) => Path.GetRelativePath(Repository.Root, fullPath).Replace(Path.DirectorySeparatorChar, '/');
}
