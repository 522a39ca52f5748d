using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Benchmarks;

/// <summary>The benchmark program: the suite (see <see cref="BenchmarkSuite"/>) or the fault soak (see <see cref="Soak"/>).</summary>
internal static class BenchmarkProgram
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> Main(string[] args)
    {
        // dotnet run -c Release --project tests/ZinTrust.Workers.Benchmarks -- [--smoke] [--only enqueue|e2e|limits|latency|growth|memory|idle|client|rest]
        //   [--redis HOST:PORT] [--out DIR] [--tracing] [--dashboard] [--encryption] [--cold] [--silo-env NAME=VALUE ...]
        // Without --redis it starts (or reuses) the project's Redis through infra/redis.sh: AOF on, fsync every second.
        // client and rest run the silo host as a process of its own (its log in the --out folder); --silo-env sets a variable
        // on it (repeatable), --dashboard turns its Orleans dashboard on, --cold measures them without their unrecorded first
        // round; --tracing and --encryption apply in-process only.
        // dotnet run -c Release --project tests/ZinTrust.Workers.Benchmarks -- --soak [MINUTES]: the fault soak (see Soak.cs), 20 min by default.
        bool smoke = args.Contains("--smoke");
        string? redis = Option(args, "--redis");
        string outDir = Option(args, "--out") ?? Path.Combine(Repository.Root, "artifacts", "benchmarks");
        if (args.Contains("--soak"))
        {
            var minutes = Option(args, "--soak") is { } m && int.TryParse(m, CultureInfo.InvariantCulture, out var n) ? n : 20;
            using var soakDeadline = new CancellationTokenSource(TimeSpan.FromMinutes(minutes + 15));
            return await Soak.RunAsync(TimeSpan.FromMinutes(minutes), outDir, Console.WriteLine, soakDeadline.Token);
        }

        if (redis is null)
        {
            var start = Process.Start(new ProcessStartInfo("bash", [Path.Combine(Repository.Root, "infra", "redis.sh"), "start"]) { UseShellExecute = false })!;
            await start.WaitForExitAsync();
            if (start.ExitCode != 0)
            {
                Console.Error.WriteLine("Could not start Redis (infra/redis.sh start); pass --redis HOST:PORT to use another.");
                return 2;
            }

            redis = "127.0.0.1:" + (Environment.GetEnvironmentVariable("ZT_REDIS_PORT") ?? "16379");
        }

        var settings = (smoke ? BenchmarkSettings.Smoke(redis) : BenchmarkSettings.Full(redis)) with { Tracing = args.Contains("--tracing"), Dashboard = args.Contains("--dashboard"), Encryption = args.Contains("--encryption"), OutDir = outDir, SiloEnvironment = SiloEnvironment(args) };
        if (args.Contains("--cold"))
        {
            settings = settings with { ChildWarmup = false };
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(smoke ? 5 : 30));
        var suite = new BenchmarkSuite(settings, Console.WriteLine);
        var watch = Stopwatch.StartNew();
        await suite.RunAsync(deadline.Token, Option(args, "--only"));

        Directory.CreateDirectory(outDir);
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var machine = $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
        var json = Path.Combine(outDir, $"benchmark-{stamp}.json");
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new { machine, smoke, redis, results = suite.Results }, Indented));
        var md = new StringBuilder().AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}. Redis {redis}, AOF everysec. Run took {watch.Elapsed.TotalSeconds:0} s.").AppendLine()
            .AppendLine("| store | scenario | metric | value | unit |").AppendLine("|---|---|---|---|---|");
        foreach (var r in suite.Results)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Store} | {r.Scenario} | {r.Metric} | {r.Value} | {r.Unit} |");
        }

        await File.WriteAllTextAsync(Path.ChangeExtension(json, ".md"), md.ToString());
        Console.WriteLine();
        Console.WriteLine(md);
        Console.WriteLine($"{suite.JobsCompleted} of {suite.JobsExpected} jobs completed; results in {json}");
        return suite.JobsCompleted == suite.JobsExpected ? 0 : 1;
    }

    /// <summary>Every <c>--silo-env NAME=VALUE</c>.</summary>
    private static Dictionary<string, string> SiloEnvironment(string[] args)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--silo-env")
            {
                int equals = args[i + 1].IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new ArgumentException($"--silo-env takes NAME=VALUE, not '{args[i + 1]}'.");
                }

                variables[args[i + 1][..equals]] = args[i + 1][(equals + 1)..];
            }
        }

        return variables;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
