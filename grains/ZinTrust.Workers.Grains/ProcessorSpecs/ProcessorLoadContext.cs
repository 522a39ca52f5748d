using System.Reflection;
using System.Runtime.Loader;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// A collectible context holding one processor assembly. Every assembly it references comes from the default context (the
/// framework, ZinTrust.Workers.Abstractions and whatever the silo has), so its <c>IJobProcessor</c> is the silo's; an
/// assembly the silo does not have fails the load. It isolates versions of the processor, not privileges: this is no sandbox.
/// </summary>
internal sealed class ProcessorLoadContext(string name) : AssemblyLoadContext(name, isCollectible: true)
{
    protected override Assembly? Load(AssemblyName assemblyName) => null;   // null: resolved by the default context
}
