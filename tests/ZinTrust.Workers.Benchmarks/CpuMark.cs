namespace ZinTrust.Workers.Benchmarks;

/// <summary>CPU used so far by the child silo, this process (the load: client library or HTTP client) and Redis; the
/// difference of two marks over the jobs done between them is where a job's CPU went.</summary>
public readonly record struct CpuMark(TimeSpan Silo, TimeSpan Load, double RedisSeconds)
{
    public static async Task<CpuMark> TakeAsync(ChildSilo silo) => new(silo.Cpu(), BenchSilo.Cpu(), await silo.RedisCpuSecondsAsync());

    /// <summary>Microseconds per job since <paramref name="from"/>: the silo's, the load's, Redis'.</summary>
    public (double Silo, double Load, double Redis) PerJobSince(CpuMark from, long jobs) => (
        Math.Round((Silo - from.Silo).TotalMicroseconds / jobs, 1),
        Math.Round((Load - from.Load).TotalMicroseconds / jobs, 1),
        Math.Round((RedisSeconds - from.RedisSeconds) * 1e6 / jobs, 1));
}
