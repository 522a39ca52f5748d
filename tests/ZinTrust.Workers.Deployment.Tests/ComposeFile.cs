using System.Globalization;
using System.Text.RegularExpressions;

namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>infra/docker/docker-compose.yml with its anchors merged: the services, and the ones that run the host image.</summary>
public sealed partial class ComposeFile
{
    private ComposeFile(IDictionary<object, object?> root) => Root = root;

    public static string DefaultPath => Path.Combine(Repository.Root, "infra", "docker", "docker-compose.yml");

    public IDictionary<object, object?> Root { get; }

    public IDictionary<object, object?> Services => Root.MapAt("services");

    /// <summary>The services built from the repository's Dockerfile: the migration and the silos.</summary>
    public IEnumerable<string> HostServices => Services.Keys.Cast<string>().Where(name => Service(name).At("build") is not null);

    /// <summary>The host services that run the silo (every one but the one-shot migration).</summary>
    public IReadOnlyList<string> Silos => HostServices.Where(name => !IsMigration(name)).Order(StringComparer.Ordinal).ToArray();

    public static ComposeFile Load() => new(Yaml.Load(DefaultPath));

    public IDictionary<object, object?> Service(string name) => Services.MapAt(name);

    public bool IsMigration(string name) => Command(name) is ["migrate", ..];

    public IReadOnlyList<string> Command(string name) => Service(name).At("command") switch
    {
        null => [],
        string text => Dockerfile.Words(text),
        var list => Yaml.AsList(list, $"{name}.command").Select(w => Yaml.AsString(w, $"{name}.command")).ToArray(),
    };

    /// <summary>A service's environment, written as a mapping or as a list of KEY=VALUE.</summary>
    public IReadOnlyDictionary<string, string> Environment(string name)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (Service(name).At("environment"))
        {
            case null:
                break;
            case IDictionary<object, object?> map:
                foreach (var (key, value) in map)
                {
                    env[(string)key] = value as string ?? "";
                }

                break;
            case var list:
                foreach (var item in Yaml.AsList(list, $"{name}.environment").Select(i => Yaml.AsString(i, $"{name}.environment")))
                {
                    var eq = item.IndexOf('=', StringComparison.Ordinal);
                    env[eq < 0 ? item : item[..eq]] = eq < 0 ? "" : item[(eq + 1)..];
                }

                break;
        }

        return env;
    }

    /// <summary>depends_on as service → condition (the long form; the short form means service_started).</summary>
    public IReadOnlyDictionary<string, string> DependsOn(string name) => Service(name).At("depends_on") switch
    {
        null => new Dictionary<string, string>(),
        IDictionary<object, object?> map => map.ToDictionary(e => (string)e.Key, e => e.Value.At("condition") as string ?? "service_started", StringComparer.Ordinal),
        var list => Yaml.AsList(list, $"{name}.depends_on").ToDictionary(s => Yaml.AsString(s, $"{name}.depends_on"), _ => "service_started", StringComparer.Ordinal),
    };

    /// <summary>Published ports as (host address, host port, container port).</summary>
    public IReadOnlyList<(string HostIp, int Published, int Target)> Ports(string name) =>
        (Service(name).At("ports") as IList<object?> ?? []).Select(p => p switch
        {
            string text => ShortPort(text),
            var map => (map.At("host_ip") as string ?? "0.0.0.0", Number(map.StringAt("published")), Number(map.StringAt("target"))),
        }).ToArray();

    /// <summary>A compose duration (1m30s, 45s, 500ms).</summary>
    public static TimeSpan Duration(string text)
    {
        var total = TimeSpan.Zero;
        var parts = DurationPart().Matches(text);
        Assert.True(parts.Count > 0 && string.Concat(parts.Select(p => p.Value)) == text, $"'{text}' is not a compose duration.");
        foreach (Match part in parts)
        {
            var value = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                "s" => TimeSpan.FromSeconds(value),
                _ => TimeSpan.FromMilliseconds(value),
            };
        }

        return total;
    }

    /// <summary>Compose's own escape: "$$" in the file is a literal "$" in the container.</summary>
    public static string Unescape(string value) => value.Replace("$$", "$", StringComparison.Ordinal);

    private static (string, int, int) ShortPort(string text)
    {
        // [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]
        var parts = text.Split('/')[0].Split(':');
        return parts.Length switch
        {
            3 => (parts[0], Number(parts[1]), Number(parts[2])),
            2 => ("0.0.0.0", Number(parts[0]), Number(parts[1])),
            _ => throw new InvalidOperationException($"ports: '{text}' publishes no host port."),
        };
    }

    private static int Number(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(h|ms|m|s)")]
    private static partial Regex DurationPart();
}
