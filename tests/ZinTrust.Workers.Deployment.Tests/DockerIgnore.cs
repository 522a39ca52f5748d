using System.Text.RegularExpressions;

namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>
/// A .dockerignore file's patterns, matched as the builder matches them: against paths relative to the context root,
/// '*' within one path segment, '**' across any number of them; a path is left out when it or a folder above it
/// matches. Exceptions (!pattern) are not supported here (the file has none).
/// </summary>
public sealed class DockerIgnore
{
    private readonly List<(string Pattern, Regex Regex)> patterns;

    private DockerIgnore(List<(string, Regex)> patterns) => this.patterns = patterns;

    /// <summary>BuildKit reads &lt;Dockerfile&gt;.dockerignore beside the Dockerfile in place of the context's .dockerignore.</summary>
    public static string DefaultPath => Dockerfile.DefaultPath + ".dockerignore";

    public static DockerIgnore Load(string? path = null)
    {
        var list = new List<(string, Regex)>();
        foreach (var raw in File.ReadAllLines(path ?? DefaultPath))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            Assert.False(line.StartsWith('!'), $"{line}: exceptions are not expected in the ignore file.");
            var pattern = line.Trim('/');
            list.Add((line, new Regex("^" + ToRegex(pattern) + "$", RegexOptions.CultureInvariant)));
        }

        return new DockerIgnore(list);
    }

    /// <summary>The pattern that leaves <paramref name="path"/> (relative, '/'-separated) out of the context, or null.</summary>
    public string? Excluding(string path)
    {
        var segments = path.Trim('/').Split('/');
        for (int n = 1; n <= segments.Length; n++)
        {
            var prefix = string.Join('/', segments[..n]);
            foreach (var (pattern, regex) in patterns)
            {
                if (regex.IsMatch(prefix))
                {
                    return pattern;
                }
            }
        }

        return null;
    }

    private static string ToRegex(string pattern)
    {
        var regex = new System.Text.StringBuilder();
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                // "**/" matches no folder or any number of them; "**" elsewhere anything.
                bool slash = i + 2 < pattern.Length && pattern[i + 2] == '/';
                regex.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                regex.Append(pattern[i] switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    var c => Regex.Escape(c.ToString()),
                });
            }
        }

        return regex.ToString();
    }
}
