using System.Security.Cryptography;
using System.Text;

namespace ZinTrust.Workers.Grains;

/// <summary>How records that must not hold personal data (the audit log) name a data subject.</summary>
public static class DataSubjects
{
    /// <summary>
    /// <c>sha256:</c> and the first 16 bytes of the SHA-256 of the subject's id, in hex: a pseudonym that matches an erasure to
    /// its request without storing the id. An unkeyed hash of a guessable id (an e-mail address) can be reversed by guessing,
    /// which is one more reason to give jobs pseudonymous subject ids.
    /// </summary>
    public static string Digest(string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(subject)).AsSpan(0, 16));
    }
}
