using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>A plugin on this silo: its instance, its place in the order, and the hooks it overrides.</summary>
public sealed class RegisteredPlugin
{
    internal RegisteredPlugin(IWorkerPlugin instance, int order)
    {
        Instance = instance;
        Order = order;
        Hooks = HooksOf(instance.GetType());
    }

    public string Name => Instance.Name;

    public Type Type => Instance.GetType();

    public int Order { get; }

    /// <summary>The hooks the plugin's type implements (the others keep their no-op defaults and are never called).</summary>
    public IReadOnlyList<PluginHook> Hooks { get; }

    internal IWorkerPlugin Instance { get; }

    private static PluginHook[] HooksOf(Type type)
    {
        var map = type.GetInterfaceMap(typeof(IWorkerPlugin));
        var hooks = new List<PluginHook>();
        for (int i = 0; i < map.InterfaceMethods.Length; i++)
        {
            var name = map.InterfaceMethods[i].Name;
            if (name.StartsWith("On", StringComparison.Ordinal)
                && name.EndsWith("Async", StringComparison.Ordinal)
                && Enum.TryParse<PluginHook>(name["On".Length..^"Async".Length], out var hook)
                && map.TargetMethods[i].DeclaringType != typeof(IWorkerPlugin))
            {
                hooks.Add(hook);
            }
        }

        hooks.Sort();
        return [.. hooks];
    }
}
