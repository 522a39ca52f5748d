namespace ZinTrust.Workers.Abstractions;

/// <summary>What a worker's declared health check is (<see cref="HealthCheckSpec"/>).</summary>
[GenerateSerializer, Alias("zt.HealthCheckKind")]
public enum HealthCheckKind
{
    /// <summary>A check registered on the silos (<c>AddHealthCheck(name, ...)</c>), run by each replica where it processes jobs.</summary>
    Registered = 0,

    /// <summary>An HTTP GET of a URL, run once per worker: healthy on the expected status (any 2xx by default).</summary>
    Http = 1,

    /// <summary>A TCP connection to host:port, run once per worker: healthy when it connects within the timeout.</summary>
    Tcp = 2,
}
