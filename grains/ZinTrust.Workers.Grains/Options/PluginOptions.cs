namespace ZinTrust.Workers.Grains;

/// <summary>Settings of the plugin host on a silo (the silo host binds the section <c>Workers:Plugins</c>).</summary>
public sealed class PluginOptions
{
    public const string SectionName = "Workers:Plugins";

    /// <summary>
    /// How long one call of one plugin hook may take. Then its token fires, the call is abandoned and counted as an
    /// error (a job-start hook then counts as "proceed"). Default: 5 s.
    /// </summary>
    public TimeSpan HookTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often each silo with plugins asks the plugin registry whether the enabled set changed (one small call,
    /// answered with nothing when the version is unchanged). A switch reaches every silo within this. Default: 5 s.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);
}
