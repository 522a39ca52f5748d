namespace ZinTrust.Workers.Grains.Tests;

public sealed class JobIdsTests
{
    [Fact]
    public void Ids_AreDistinctVersion4Guids_In32HexDigits_AcrossManyRefills()
    {
        var ids = new JobIds();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 10_000; i++)   // ~156 refills of the 64-id buffer
        {
            var id = ids.Next();
            Assert.Matches("^[0-9a-f]{32}$", id);
            var guid = Guid.ParseExact(id, "N");
            Assert.Equal(4, guid.Version);
            Assert.Contains(id[16], "89ab");   // RFC 4122 variant
            Assert.True(seen.Add(id), $"duplicate id {id} after {i} ids");
        }

        // Two generators never replay each other's bytes.
        var other = new JobIds();
        Assert.DoesNotContain(other.Next(), seen);
    }
}
