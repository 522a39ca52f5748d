using System.Globalization;

namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>Every object in infra/k8s/*.yaml, by kind.</summary>
public sealed class KubernetesManifests
{
    private KubernetesManifests(IReadOnlyList<IDictionary<object, object?>> objects) => Objects = objects;

    public static string Folder => Path.Combine(Repository.Root, "infra", "k8s");

    public IReadOnlyList<IDictionary<object, object?>> Objects { get; }

    public IDictionary<object, object?> Deployment => ByKind("Deployment");

    public IDictionary<object, object?> Job => ByKind("Job");

    public IDictionary<object, object?> ConfigMap => ByKind("ConfigMap");

    public IDictionary<object, object?> Secret => ByKind("Secret");

    public IDictionary<object, object?> Service => ByKind("Service");

    /// <summary>The silo container of the Deployment.</summary>
    public IDictionary<object, object?> SiloContainer => Yaml.AsMap(Assert.Single(Deployment.ListAt("spec", "template", "spec", "containers")), "silo container");

    public static KubernetesManifests Load() =>
        new(Directory.GetFiles(Folder, "*.yaml").Order(StringComparer.Ordinal).SelectMany(Yaml.LoadAll).ToArray());

    public IDictionary<object, object?> ByKind(string kind) =>
        Assert.Single(Objects, o => o.At("kind") as string == kind);

    /// <summary>What the ConfigMap sets, else the image's ENV (the container's own default).</summary>
    public int ConfiguredPort(string variable) =>
        int.Parse(ConfigMap.At("data", variable) as string ?? Dockerfile.Load().Runtime.Environment[variable], CultureInfo.InvariantCulture);

    /// <summary>A probe's or Service's port: a number, or the name of one of the container's ports.</summary>
    public static int ResolvePort(IDictionary<object, object?> container, object? port)
    {
        var text = Yaml.AsString(port, "port");
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        var named = Assert.Single(container.ListAt("ports"), p => p.At("name") as string == text);
        return int.Parse(named.StringAt("containerPort"), CultureInfo.InvariantCulture);
    }
}
