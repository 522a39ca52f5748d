using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Worker definitions known from code: declared with <c>AddWorker</c> (always registered when the silo starts,
/// never overwritten) and discovered from assemblies (registered only when persistence holds no auto-start
/// candidates, the seed's fallback rule).
/// </summary>
public sealed class WorkerSeeds
{
    private readonly List<WorkerDefinition> definitions = [];
    private readonly List<Func<WorkersOptions, WorkerDefinition>> discovered = [];
    private readonly HashSet<string> discoveredNames = new(StringComparer.Ordinal);

    public IReadOnlyList<WorkerDefinition> Definitions => definitions;

    /// <summary>Discovered definitions, completed with the configured defaults.</summary>
    public IReadOnlyList<WorkerDefinition> Discovered(WorkersOptions options) => discovered.Select(d => d(options)).ToArray();

    internal void Add(WorkerDefinition definition)
    {
        // First definition of a name wins (the seed's de-duplication rule).
        if (definitions.TrueForAll(d => d.Name != definition.Name))
        {
            definitions.Add(definition);
        }
    }

    internal bool AddDiscovered(string name, Func<WorkersOptions, WorkerDefinition> definition)
    {
        if (!discoveredNames.Add(name))
        {
            return false;
        }

        discovered.Add(definition);
        return true;
    }
}
