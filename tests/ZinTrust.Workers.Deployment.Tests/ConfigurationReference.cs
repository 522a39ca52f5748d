using System.Text.RegularExpressions;

namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>
/// The environment variables docs/configuration.md documents: the names in its table's "environment variable" column,
/// with their defaults. A name written with a placeholder (<c>ConnectionStrings__&lt;name&gt;</c>) stands for every
/// name of that form.
/// </summary>
public sealed partial class ConfigurationReference
{
    private readonly Dictionary<string, string?> defaults = new(StringComparer.Ordinal);
    private readonly List<Regex> patterns = [];

    private ConfigurationReference()
    {
    }

    public static string Path => System.IO.Path.Combine(Repository.Root, "docs", "configuration.md");

    public static ConfigurationReference Load()
    {
        var reference = new ConfigurationReference();
        foreach (var line in File.ReadLines(Path))
        {
            // | option | environment variable | default | meaning |
            var cells = line.Split('|');
            if (!line.StartsWith('|') || cells.Length < 5)
            {
                continue;
            }

            var names = Quoted().Matches(cells[2]).Select(m => m.Groups[1].Value).ToArray();
            var values = cells[3].Split(" / ");
            for (int i = 0; i < names.Length; i++)
            {
                var value = names.Length == values.Length ? Quoted().Match(values[i]) : Match.Empty;
                reference.Add(names[i], value.Success ? value.Groups[1].Value : null);
            }
        }

        Assert.True(reference.defaults.Count > 20, $"{Path} should document the environment variables in its table.");
        return reference;
    }

    public bool Documents(string variable) =>
        defaults.ContainsKey(variable) || patterns.Exists(p => p.IsMatch(variable));

    /// <summary>The documented default of <paramref name="variable"/> (the first backquoted value of its cell).</summary>
    public string Default(string variable) =>
        defaults.TryGetValue(variable, out var value) && value is not null
            ? value
            : throw new InvalidOperationException($"{Path} gives no default for {variable}.");

    private void Add(string name, string? defaultValue)
    {
        if (name.Contains('<', StringComparison.Ordinal))
        {
            // ConnectionStrings__<name>: any name in the placeholder's place.
            patterns.Add(new Regex("^" + Regex.Replace(Regex.Escape(name), "<[^>]+>", "[A-Za-z0-9_.-]+") + "$", RegexOptions.CultureInvariant));
        }
        else if (Variable().IsMatch(name))
        {
            defaults[name] = defaultValue;
        }
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Quoted();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex Variable();
}
