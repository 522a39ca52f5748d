namespace ZinTrust.Workers.Cli;

/// <summary>
/// The name the CLI was started by: <c>zintrust</c> when invoked under the original's other name (a symbolic link or a copy of
/// the <c>zin</c> tool; a package installs one command name), else <c>zin</c>. Only the usage lines differ; every command is the
/// same under either name.
/// </summary>
internal static class InvokedName
{
    public const string Default = "zin";
    public const string Alias = "zintrust";

    public static string Resolve() => FromPaths(FirstArgument(), Environment.ProcessPath);

    /// <summary><c>zintrust</c> when either the name typed (argv[0]) or the executable's file is zintrust, else <c>zin</c>.</summary>
    public static string FromPaths(params string?[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return paths.Any(p => p is not null && Path.GetFileNameWithoutExtension(p[(p.LastIndexOfAny(['/', '\\']) + 1)..]).Equals(Alias, StringComparison.OrdinalIgnoreCase)) ? Alias : Default;
    }

    /// <summary>argv[0] as the shell passed it (a symbolic link's own name), where the system shows it (/proc on Linux); else null.</summary>
    private static string? FirstArgument()
    {
        try
        {
            var cmdline = File.Exists("/proc/self/cmdline") ? File.ReadAllText("/proc/self/cmdline") : null;
            return cmdline?.Split('\0')[0];
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
