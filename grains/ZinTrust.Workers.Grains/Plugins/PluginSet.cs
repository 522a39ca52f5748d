namespace ZinTrust.Workers.Grains;

/// <summary>The enabled plugins of one settings version, per hook, in run order. Immutable: readers take it once.</summary>
internal sealed class PluginSet
{
    private static readonly int HookCount = Enum.GetValues<PluginHook>().Length;
    private readonly RegisteredPlugin[][] byHook;

    public PluginSet(IEnumerable<RegisteredPlugin> enabled)
    {
        var plugins = enabled.ToArray();
        byHook = new RegisteredPlugin[HookCount][];
        for (int h = 0; h < HookCount; h++)
        {
            byHook[h] = [.. plugins.Where(p => p.Hooks.Contains((PluginHook)h))];
        }

        HasJobHooks = Has(PluginHook.JobStart) || Has(PluginHook.JobComplete) || Has(PluginHook.JobFailed);
    }

    public static PluginSet Empty { get; } = new([]);

    /// <summary>Some enabled plugin has a job hook (job start, complete or failed).</summary>
    public bool HasJobHooks { get; }

    public RegisteredPlugin[] this[PluginHook hook] => byHook[(int)hook];

    public bool Has(PluginHook hook) => byHook[(int)hook].Length > 0;
}
