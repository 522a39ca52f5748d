namespace ZinTrust.Workers.Abstractions;

[GenerateSerializer, Alias("zt.BackoffKind")]
public enum BackoffKind
{
    /// <summary>Every retry waits the base delay.</summary>
    Fixed = 0,

    /// <summary>Retry n waits base × 2^(n−1), capped by the maximum delay.</summary>
    Exponential = 1,
}
