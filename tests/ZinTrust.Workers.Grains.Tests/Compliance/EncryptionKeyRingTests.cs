using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>The key-ring file: what reads, what is refused (and that no refusal prints a key), rotation and retirement.</summary>
public sealed class EncryptionKeyRingTests
{
    [Fact]
    public void ARing_RoundTripsThroughItsFile_WithTheActiveKey()
    {
        var ring = EncryptionKeyRing.Create("k1", TimeProvider.System).WithNewActiveKey("k2", TimeProvider.System);
        var read = EncryptionKeyRing.Parse(ring.ToJson(), out var problem);
        Assert.Null(problem);
        Assert.Equal("k2", read!.ActiveKeyId);
        Assert.Equal(["k1", "k2"], read.KeyIds);
        var stored = new PayloadCipher(ring).Encrypt("q", "j", "payload", "42");
        Assert.Equal("42", new PayloadCipher(read).Decrypt("q", "j", "payload", stored));
        Assert.DoesNotContain("\"key\"", ring.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("""{"format":2,"active":"k1","keys":[]}""", "\"format\" must be 1")]
    [InlineData("""{"format":1,"active":"k1","keys":[]}""", "non-empty array")]
    [InlineData("""{"format":1,"active":"k1","keys":[{"id":"k1","key":"c2hvcnQ="}]}""", "exactly 32 bytes")]
    [InlineData("""{"format":1,"active":"k1","keys":[{"id":"k 1","key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]}""", "keys[0].id")]
    [InlineData("""{"format":1,"active":"k2","keys":[{"id":"k1","key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]}""", "\"active\" must name")]
    [InlineData("""{"format":1,"active":"k1","keys":[{"id":"k1","key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},{"id":"k1","key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]}""", "appears twice")]
    public void ABadRing_IsRefused_NamingTheProblem_WithoutAKey(string json, string expected)
    {
        Assert.Null(EncryptionKeyRing.Parse(json, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAAAAAA", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("c2hvcnQ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFile_IsRefused_NamingTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"zt-missing-{Guid.NewGuid():N}.json");
        Assert.Null(EncryptionKeyRing.Load(path, out var problem));
        Assert.Contains(path, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Retiring_RefusesTheActiveKey_AndUnknownIds_AndKeepsTheRest()
    {
        var ring = EncryptionKeyRing.Create("k1", TimeProvider.System).WithNewActiveKey("k2", TimeProvider.System);
        Assert.Throws<InvalidOperationException>(() => ring.Without("k2"));
        Assert.Throws<InvalidOperationException>(() => ring.Without("k7"));
        Assert.Throws<InvalidOperationException>(() => ring.WithNewActiveKey("k1", TimeProvider.System));
        Assert.Equal(["k2"], ring.Without("k1").KeyIds);
    }
}
