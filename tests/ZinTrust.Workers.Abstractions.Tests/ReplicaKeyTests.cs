using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Abstractions.Tests;

public sealed class ReplicaKeyTests
{
    [Theory]
    [InlineData("mailer/0", "mailer", 0, null, null)]
    [InlineData("mailer@canary/3", "mailer", 3, "canary", null)]
    [InlineData("mailer~eu-west/2", "mailer", 2, null, "eu-west")]
    [InlineData("mailer@canary~us-east-1/12", "mailer", 12, "canary", "us-east-1")]
    public void AKey_ParsesBackToWhatMadeIt(string key, string worker, int index, string? set, string? region)
    {
        var parsed = ReplicaKey.Parse(key);

        Assert.Equal(new ReplicaKey(worker, index, set, region), parsed);
        Assert.Equal(key, parsed.ToString());
    }

    [Theory]
    [InlineData("mailer")]
    [InlineData("/0")]
    [InlineData("mailer/-1")]
    [InlineData("mailer@/0")]
    [InlineData("@canary/0")]
    [InlineData("mailer~/0")]
    [InlineData("~eu-west/0")]
    [InlineData("mailer@~eu-west/0")]
    public void AMalformedKey_DoesNotParse(string key) => Assert.False(ReplicaKey.TryParse(key, out _));
}
