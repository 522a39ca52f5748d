namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>One stage of a <see cref="Dockerfile"/>: its base image, its name (FROM … AS name) and its instructions.</summary>
public sealed record DockerStage(string Image, string? Name, List<DockerInstruction> Instructions)
{
    public IEnumerable<string> All(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    /// <summary>The last instruction <paramref name="keyword"/>'s arguments (the one in force), or null.</summary>
    public string? Last(string keyword) => All(keyword).LastOrDefault();

    /// <summary>The variables its ENV instructions set (KEY=VALUE pairs; the older "KEY VALUE" form too).</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var arguments in All("ENV"))
            {
                var words = Dockerfile.Words(arguments);
                if (words.Count > 0 && !words[0].Contains('=', StringComparison.Ordinal))
                {
                    env[words[0]] = string.Join(' ', words.Skip(1));
                    continue;
                }

                foreach (var word in words)
                {
                    var eq = word.IndexOf('=', StringComparison.Ordinal);
                    Assert.True(eq > 0, $"ENV {arguments}: '{word}' is not KEY=VALUE.");
                    env[word[..eq]] = word[(eq + 1)..];
                }
            }

            return env;
        }
    }

    /// <summary>COPY and ADD instructions: their flags (--from=build …), sources and destination.</summary>
    public IEnumerable<DockerCopy> Copies =>
        Instructions.Where(i => i.Keyword is "COPY" or "ADD").Select(i =>
        {
            var words = Dockerfile.ExecForm(i.Arguments) ?? Dockerfile.Words(i.Arguments);
            var flags = words.TakeWhile(w => w.StartsWith("--", StringComparison.Ordinal)).ToArray();
            var rest = words.Skip(flags.Length).ToArray();
            Assert.True(rest.Length >= 2, $"{i.Keyword} {i.Arguments}: needs a source and a destination.");
            return new DockerCopy(i.Keyword, flags, rest[..^1], rest[^1]);
        });
}
