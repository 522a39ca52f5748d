using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>
/// YAML read into plain values: mappings as dictionaries, sequences as lists, every scalar as its text (so 7777 and
/// "7777" read alike, as compose and Kubernetes take them for these fields). Merge keys (&lt;&lt;: *anchor) are resolved.
/// </summary>
public static class Yaml
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    /// <summary>Every document of the file (a Kubernetes manifest may hold several, separated by ---).</summary>
    public static IReadOnlyList<IDictionary<object, object?>> LoadAll(string path)
    {
        using var reader = new StringReader(File.ReadAllText(path));
        var parser = new MergingParser(new Parser(reader));
        parser.Consume<StreamStart>();
        var documents = new List<IDictionary<object, object?>>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (Deserializer.Deserialize<object?>(parser) is { } document)
            {
                documents.Add(AsMap(document, path));
            }
        }

        return documents;
    }

    public static IDictionary<object, object?> Load(string path)
    {
        var documents = LoadAll(path);
        Assert.True(documents.Count == 1, $"{path} should hold one YAML document, not {documents.Count}.");
        return documents[0];
    }

    public static IDictionary<object, object?> AsMap(object? node, string what) =>
        node as IDictionary<object, object?> ?? throw new InvalidOperationException($"{what}: expected a mapping, found {Describe(node)}.");

    public static IList<object?> AsList(object? node, string what) =>
        node as IList<object?> ?? throw new InvalidOperationException($"{what}: expected a sequence, found {Describe(node)}.");

    public static string AsString(object? node, string what) =>
        node as string ?? throw new InvalidOperationException($"{what}: expected a scalar, found {Describe(node)}.");

    /// <summary>The value at <paramref name="path"/> (mapping keys, or list indexes as numbers), or null when any step is missing.</summary>
    public static object? At(this object? node, params string[] path)
    {
        foreach (var step in path)
        {
            node = node switch
            {
                IDictionary<object, object?> map => map.TryGetValue(step, out var value) ? value : null,
                IList<object?> list when int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < list.Count => list[index],
                _ => null,
            };
        }

        return node;
    }

    /// <summary>The mapping at <paramref name="path"/>; fails naming the path when it is missing.</summary>
    public static IDictionary<object, object?> MapAt(this object? node, params string[] path) => AsMap(node.At(path), string.Join('.', path));

    public static IList<object?> ListAt(this object? node, params string[] path) => AsList(node.At(path), string.Join('.', path));

    public static string StringAt(this object? node, params string[] path) => AsString(node.At(path), string.Join('.', path));

    private static string Describe(object? node) => node switch
    {
        null => "nothing",
        string s => $"'{s}'",
        _ => node.GetType().Name,
    };
}
