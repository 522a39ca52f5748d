using System.Runtime.Loader;
using System.Security.Cryptography;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The test processor assembly (tests/ZinTrust.Workers.SpecProcessor, copied to spec-processor/, never referenced) and
/// ways to see whether it was loaded or its code ran.</summary>
internal static class SpecAssembly
{
    public const string Name = "ZinTrust.Workers.SpecProcessor";
    public const string FileName = Name + ".dll";
    public const string TypeName = "ZinTrust.Workers.SpecProcessor.SpecEchoProcessor";
    private const string InitialisedSlot = "ZinTrust.Workers.SpecProcessor.Initialised";

    public static string SourcePath { get; } = Path.Combine(AppContext.BaseDirectory, "spec-processor", FileName);

    public static byte[] Bytes => File.ReadAllBytes(SourcePath);

    public static string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Bytes));

    /// <summary>A digest of other bytes.</summary>
    public static string WrongSha256 => Convert.ToHexStringLower(SHA256.HashData("not the assembly"u8));

    /// <summary>Copies of the assembly loaded in any load context of this process now (unloaded ones go when collected).</summary>
    public static int LoadedCopies() =>
        AssemblyLoadContext.All.Sum(context => context.Assemblies.Count(a => a.GetName().Name == Name));

    /// <summary>How often the processor's type was initialised in this process (its code ran).</summary>
    public static int Initialisations() => AppDomain.CurrentDomain.GetData(InitialisedSlot) as int? ?? 0;

    /// <summary>A fresh root folder holding a copy of the assembly.</summary>
    public static string NewRoot()
    {
        var root = Directory.CreateTempSubdirectory("zt-spec-root-").FullName;
        File.Copy(SourcePath, Path.Combine(root, FileName));
        return root;
    }
}
