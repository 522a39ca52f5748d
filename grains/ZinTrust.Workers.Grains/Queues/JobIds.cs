using System.Security.Cryptography;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Random (version 4) job ids, 32 hex digits, drawn from the operating system's CSPRNG 64 at a time. Not thread-safe:
/// one per queue grain, used inside its turns.
/// </summary>
/// <remarks>
/// <see cref="Guid.NewGuid"/> asks the kernel for 16 bytes on every call on Linux (a <c>read</c> system call per job;
/// about 4 % of the benchmark's CPU samples, issue 5). The bytes are the same kind; only the system calls are
/// batched.
/// </remarks>
internal sealed class JobIds
{
    private const int PerFill = 64;
    private readonly byte[] buffer = new byte[16 * PerFill];
    private int next = PerFill;

    public string Next()
    {
        if (next == PerFill)
        {
            RandomNumberGenerator.Fill(buffer);
            next = 0;
        }

        var bytes = buffer.AsSpan(16 * next++, 16);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);   // version 4 (high nibble of the third group, little-endian)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);   // RFC 4122 variant
        return new Guid(bytes).ToString("N");
    }
}
