using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>AES-256-GCM per job field: what decrypts, and everything that must not.</summary>
public sealed class PayloadCipherTests
{
    private const string Canary = """{"email":"canary-7f3a@example.com"}""";
    private static readonly EncryptionKeyRing Ring = EncryptionKeyRing.Create("k1", TimeProvider.System);

    [Fact]
    public void Encrypt_RoundTrips_AndHoldsNoPlaintext()
    {
        var cipher = new PayloadCipher(Ring);
        var stored = cipher.Encrypt("q", "job-1", "payload", Canary);
        Assert.StartsWith("zte1.k1.", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", stored, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("k1", PayloadCipher.KeyIdOf(stored));
        Assert.Equal(Canary, new PayloadCipher(Ring).Decrypt("q", "job-1", "payload", stored));
    }

    [Fact]
    public void Encrypt_UsesAFreshNonce_ForEveryJob()
    {
        var cipher = new PayloadCipher(Ring);
        var one = cipher.Encrypt("q", "job-1", "payload", new string(Canary));
        var two = cipher.Encrypt("q", "job-2", "payload", new string(Canary));
        Assert.NotEqual(one[..30], two[..30]);
        Assert.Equal(2, cipher.Usage["k1"]);
    }

    [Fact]
    public void AnyFlippedByte_FailsAuthentication()
    {
        var cipher = new PayloadCipher(Ring);
        var stored = cipher.Encrypt("q", "job-1", "payload", Canary);
        var body = System.Buffers.Text.Base64Url.DecodeFromChars(stored.AsSpan("zte1.k1.".Length));
        for (int i = 0; i < body.Length; i++)
        {
            var altered = (byte[])body.Clone();
            altered[i] ^= 0x01;
            var tampered = "zte1.k1." + System.Buffers.Text.Base64Url.EncodeToString(altered);
            var error = Assert.Throws<JobDataIntegrityException>(() => new PayloadCipher(Ring).Decrypt("q", "job-1", "payload", tampered));
            Assert.Contains("fails authentication", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("canary", error.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Ciphertext_MovedToAnotherJobQueueOrField_FailsAuthentication()
    {
        var cipher = new PayloadCipher(Ring);
        var first = cipher.Encrypt("q", "job-1", "payload", Canary);
        var fresh = new PayloadCipher(Ring);
        Assert.Throws<JobDataIntegrityException>(() => fresh.Decrypt("q", "job-2", "payload", first));
        Assert.Throws<JobDataIntegrityException>(() => fresh.Decrypt("other", "job-1", "payload", first));
        Assert.Throws<JobDataIntegrityException>(() => fresh.Decrypt("q", "job-1", "result", first));
    }

    [Fact]
    public void Truncated_Malformed_OrUnknownKey_IsRefused_WithoutTheData()
    {
        var cipher = new PayloadCipher(Ring);
        var stored = cipher.Encrypt("q", "job-1", "payload", Canary);
        Assert.Throws<JobDataIntegrityException>(() => cipher.Decrypt("q", "job-1", "payload", stored[..20]));
        Assert.Throws<JobDataIntegrityException>(() => cipher.Decrypt("q", "job-1", "payload", "zte1.k1.***"));
        var other = new PayloadCipher(EncryptionKeyRing.Create("k9", TimeProvider.System));
        var error = Assert.Throws<JobDataIntegrityException>(() => other.Decrypt("q", "job-1", "payload", stored));
        Assert.Contains("'k1' is not in the key ring", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plaintext_WrittenBeforeEncryption_ReadsAsItIs()
    {
        Assert.Equal(Canary, new PayloadCipher(Ring).Decrypt("q", "job-1", "payload", Canary));
        Assert.Null(PayloadCipher.KeyIdOf(Canary));
    }

    [Fact]
    public void RewritingTheSameRecord_ReusesItsCiphertext_UntilTheActiveKeyChanges()
    {
        var cipher = new PayloadCipher(Ring);
        var payload = new string(Canary);
        var first = cipher.Encrypt("q", "job-1", "payload", payload);
        Assert.Same(first, cipher.Encrypt("q", "job-1", "payload", payload));
        Assert.Equal(1, cipher.Usage["k1"]);

        var rotated = new PayloadCipher(Ring.WithNewActiveKey("k2", TimeProvider.System));
        var opened = rotated.Decrypt("q", "job-1", "payload", first);
        var second = rotated.Encrypt("q", "job-1", "payload", opened);
        Assert.Equal("k2", PayloadCipher.KeyIdOf(second));
        Assert.Equal(Canary, rotated.Decrypt("q", "job-1", "payload", second));
    }

    [Fact]
    public void TakeUsage_HandsOverTheCounts_AndReturnUsage_PutsThemBack()
    {
        var cipher = new PayloadCipher(Ring);
        cipher.Encrypt("q", "a", "payload", "1");
        cipher.Encrypt("q", "b", "payload", "2");
        var taken = cipher.TakeUsage();
        Assert.Equal(2, taken["k1"]);
        Assert.Empty(cipher.TakeUsage());
        cipher.ReturnUsage(taken);
        Assert.Equal(2, cipher.TakeUsage()["k1"]);
    }
}
