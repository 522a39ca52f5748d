namespace ZinTrust.Workers.Benchmarks;

/// <summary>Sizes of one benchmark run. <see cref="Full"/> is the measured configuration; <see cref="Smoke"/> only proves the harness works.</summary>
public sealed record BenchmarkSettings
{
    public required string? Redis { get; init; }

    /// <summary>Spans on (<c>--tracing</c>): the shipped tracing set-up (every job traced) exporting OTLP to a sink in this
    /// process, and Orleans' activity propagation.</summary>
    public bool Tracing { get; init; }

    /// <summary>Run the Orleans dashboard on the silo (as the shipped host does), to measure what it costs.</summary>
    public bool Dashboard { get; init; }

    /// <summary>Encryption at rest on (<c>--encryption</c>): payloads, results, errors and log lines sealed with AES-256-GCM
    /// before the store, to measure what it costs.</summary>
    public bool Encryption { get; init; }
    public int SingleProducerJobs { get; init; } = 20_000;
    public int ConcurrentProducerJobs { get; init; } = 64_000;
    public int BatchJobs { get; init; } = 100_000;
    public int EndToEndJobs { get; init; } = 100_000;
    public int[] PacedRates { get; init; } = [500, 1000, 5000];
    public TimeSpan PacedDuration { get; init; } = TimeSpan.FromSeconds(10);
    public int[] GrowthDepths { get; init; } = [1_000, 100_000, 1_000_000];
    public int GrowthJobs { get; init; } = 100_000;

    /// <summary>Rounds of <see cref="GrowthJobs"/> per depth; the median is reported (one round is too noisy on 2 cores).</summary>
    public int GrowthRounds { get; init; } = 5;
    public int MemoryDepth { get; init; } = 100_000;
    public TimeSpan IdleWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Quiet time before the idle window. Tiered compilation keeps promoting timer paths for minutes after start-up (a
    /// method is re-compiled after 30 calls, so a once-a-second path waits 30 s, then again with profile data); that is
    /// start-up cost, reported apart from the steady idle cost.
    /// </summary>
    public TimeSpan IdleWarmup { get; init; } = TimeSpan.FromSeconds(90);
    public TimeSpan ScenarioTimeout { get; init; } = TimeSpan.FromMinutes(5);
    public int Concurrency { get; init; } = 50;

    /// <summary>Where the out-of-process scenarios' silo writes its log (the run's --out folder); null: artifacts/benchmarks.</summary>
    public string? OutDir { get; init; }

    /// <summary>Variables set on the out-of-process scenarios' silo on top of the benchmark's (<c>--silo-env NAME=VALUE</c>).</summary>
    public IReadOnlyDictionary<string, string> SiloEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>The out-of-process scenarios' rate windows: this long under load, unrecorded, then <see cref="LoadWindow"/> measured.</summary>
    public TimeSpan LoadWarmup { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan LoadWindow { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Jobs of the client process's end-to-end run (an unrecorded tenth of it first).</summary>
    public int ClientEndToEndJobs { get; init; } = 50_000;

    /// <summary>Jobs of the REST batches' end-to-end run (an unrecorded tenth of it first).</summary>
    public int RestEndToEndJobs { get; init; } = 100_000;

    /// <summary>The client process's paced run: jobs per second, for <see cref="PacedDuration"/>.</summary>
    public int ClientPacedRate { get; init; } = 1000;

    /// <summary>Whether the client and REST scenarios run once unrecorded first, in the same silo process (<c>--cold</c> turns it off).</summary>
    public bool ChildWarmup { get; init; } = true;

    public static BenchmarkSettings Full(string? redis) => new() { Redis = redis };

    public static BenchmarkSettings Smoke(string? redis) => new()
    {
        Redis = redis,
        SingleProducerJobs = 200,
        ConcurrentProducerJobs = 640,
        BatchJobs = 2_000,
        EndToEndJobs = 2_000,
        PacedRates = [200],
        PacedDuration = TimeSpan.FromSeconds(1),
        GrowthDepths = [1_000],
        GrowthJobs = 500,
        GrowthRounds = 1,
        MemoryDepth = 2_000,
        IdleWindow = TimeSpan.FromSeconds(1),
        IdleWarmup = TimeSpan.Zero,
        ScenarioTimeout = TimeSpan.FromMinutes(1),
        LoadWarmup = TimeSpan.FromMilliseconds(200),
        LoadWindow = TimeSpan.FromMilliseconds(500),
        ClientEndToEndJobs = 1_000,
        RestEndToEndJobs = 2_000,
        ClientPacedRate = 200,
        ChildWarmup = false,
    };
}
