namespace ZinTrust.Workers.Testing;

/// <summary>The repository the tests run from, and the folders under <c>artifacts/</c> where runs leave what they report.</summary>
public static class Repository
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ZinTrust.Orleans.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
        }
    }

    /// <summary>The configuration the tests were built in (Debug, Release): the folder above the target framework's.</summary>
    public static string BuildConfiguration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary><c>artifacts/&lt;name&gt;</c>, created when missing.</summary>
    public static string Artifacts(string name) => Directory.CreateDirectory(Path.Combine(Root, "artifacts", name)).FullName;
}
