namespace ZinTrust.Workers.Abstractions;

/// <summary>
/// What one silo can run (key: the silo's address in Orleans' parsable form; a placement rule keeps each activation on
/// its silo). Asked of every live silo before a version is activated: a processor registered on some silos only would
/// fail on the others when a replica lands there.
/// </summary>
[Alias("zt.ISiloCatalogGrain"), Orleans.CodeGeneration.Version(1)]
public interface ISiloCatalogGrain : IGrainWithStringKey
{
    /// <summary>Whether a processor of this name resolves on this silo.</summary>
    [Alias("HasProcessor")]
    Task<bool> HasProcessor(string processor);

    /// <summary>Whether a health check is registered under this name on this silo.</summary>
    [Alias("HasHealthCheck")]
    Task<bool> HasHealthCheck(string name);
}
