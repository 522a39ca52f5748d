namespace ZinTrust.Workers.Grains;

/// <summary>How many encryptions one key may do. AES-GCM with random 96-bit nonces keeps the chance of a repeated nonce below
/// 2^-32 for up to 2^32 encryptions under one key (NIST SP 800-38D, 8.3); the cluster warns at a quarter of that, so a new key
/// can be rolled out long before.</summary>
public static class EncryptionLimits
{
    /// <summary>The bound for one key: 2^32 encryptions.</summary>
    public const long MaxEncryptionsPerKey = 1L << 32;

    /// <summary>The warning threshold: 2^30 encryptions (a quarter of the bound).</summary>
    public const long WarnAtEncryptions = 1L << 30;
}
