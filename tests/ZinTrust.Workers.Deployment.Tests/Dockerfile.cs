using System.Text;
using System.Text.Json;

namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>
/// A Dockerfile read the way the builder reads it: comment lines dropped, continued lines joined, instructions grouped
/// by the stage (FROM) they belong to. Enough of the syntax for the deployment tests, not a full parser.
/// </summary>
public sealed class Dockerfile
{
    private Dockerfile(string path, IReadOnlyList<DockerStage> stages)
    {
        Path = path;
        Stages = stages;
    }

    public static string DefaultPath => System.IO.Path.Combine(Repository.Root, "infra", "docker", "Dockerfile");

    public string Path { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    /// <summary>The stage the image is made of: the last one.</summary>
    public DockerStage Runtime => Stages[^1];

    public DockerStage Stage(string name) =>
        Stages.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException($"{Path} has no stage named {name}.");

    public static Dockerfile Load(string? path = null)
    {
        path ??= DefaultPath;
        var stages = new List<DockerStage>();
        foreach (var (keyword, arguments) in Instructions(File.ReadAllLines(path)))
        {
            if (keyword == "FROM")
            {
                var words = Words(arguments).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToArray();
                var name = words.Length >= 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null;
                stages.Add(new DockerStage(words[0], name, []));
            }
            else
            {
                Assert.True(stages.Count > 0, $"{path}: {keyword} before the first FROM.");
                stages[^1].Instructions.Add(new DockerInstruction(keyword, arguments));
            }
        }

        Assert.True(stages.Count > 0, $"{path} has no FROM.");
        return new Dockerfile(path, stages);
    }

    /// <summary>Words split on white space, with "double" or 'single' quoted words kept whole (quotes removed).</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        char? quote = null;
        bool inWord = false;
        foreach (var c in text)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    /// <summary>The exec form (a JSON array) of ENTRYPOINT, CMD or a COPY, or null for the shell form.</summary>
    public static IReadOnlyList<string>? ExecForm(string arguments)
    {
        var trimmed = arguments.Trim();
        return trimmed.StartsWith('[') ? JsonSerializer.Deserialize<string[]>(trimmed) : null;
    }

    private static IEnumerable<(string Keyword, string Arguments)> Instructions(string[] lines)
    {
        var current = new StringBuilder();
        foreach (var raw in lines)
        {
            var line = raw.TrimEnd();
            if (line.TrimStart().StartsWith('#'))
            {
                continue;   // a comment (or a parser directive), also inside a continued instruction
            }

            if (line.EndsWith('\\'))
            {
                current.Append(line[..^1]).Append(' ');
                continue;
            }

            current.Append(line);
            var text = current.ToString().Trim();
            current.Clear();
            if (text.Length == 0)
            {
                continue;
            }

            var space = text.IndexOfAny([' ', '\t']);
            yield return space < 0
                ? (text.ToUpperInvariant(), "")
                : (text[..space].ToUpperInvariant(), text[(space + 1)..].Trim());
        }
    }
}
