namespace ZinTrust.Workers.Grains;

/// <summary>The grain-storage provider name under which worker and registry state is kept.</summary>
public static class WorkersStorage
{
    public const string Name = "zintrust-workers";
}
