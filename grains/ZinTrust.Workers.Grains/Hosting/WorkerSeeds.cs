using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>Worker definitions declared in code; registered (never overwritten) when the silo starts.</summary>
public sealed class WorkerSeeds
{
    private readonly List<WorkerDefinition> definitions = [];

    public IReadOnlyList<WorkerDefinition> Definitions => definitions;

    internal void Add(WorkerDefinition definition)
    {
        // First definition of a name wins (the seed's de-duplication rule).
        if (definitions.TrueForAll(d => d.Name != definition.Name))
        {
            definitions.Add(definition);
        }
    }
}
