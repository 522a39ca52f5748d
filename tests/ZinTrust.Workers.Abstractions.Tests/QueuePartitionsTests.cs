using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Abstractions.Tests;

/// <summary>Partition names, job ids and placement: what every process must compute the same way.</summary>
public sealed class QueuePartitionsTests
{
    [Theory]
    [InlineData("orders", 0, "orders")]
    [InlineData("orders", 1, "orders#1")]
    [InlineData("orders", 63, "orders#63")]
    public void GrainKeys_RoundTrip(string queue, int partition, string key)
    {
        Assert.Equal(key, QueuePartitions.GrainKey(queue, partition));
        Assert.Equal((queue, partition), QueuePartitions.ParseKey(key));
    }

    [Theory]
    [InlineData("orders#0")]
    [InlineData("orders#64")]
    [InlineData("orders#07")]
    [InlineData("orders#x")]
    public void AKeyWithoutAValidPartition_IsReturnedWhole_AndIsNoValidQueueName(string key)
    {
        Assert.Equal((key, 0), QueuePartitions.ParseKey(key));
        Assert.NotNull(WorkerValidation.CheckQueueName(key));
    }

    [Fact]
    public void JobIds_NameTheirPartition_WithinTheJobIdAlphabet()
    {
        const string id = "0123456789abcdef0123456789abcdef";
        Assert.Equal(id, QueuePartitions.JobId(id, 0));
        Assert.Equal(0, QueuePartitions.PartitionOf(id));
        foreach (int p in new[] { 1, 9, 10, 63 })
        {
            var made = QueuePartitions.JobId(id, p);
            Assert.True(WorkerValidation.IsValidJobId(made));
            Assert.Equal(p, QueuePartitions.PartitionOf(made));
        }

        Assert.Equal(0, QueuePartitions.PartitionOf(id + "_p64"));
        Assert.Equal(0, QueuePartitions.PartitionOf(id + "_p0"));
    }

    [Fact]
    public void Placement_IsStable_GroupFirst_ThenKey_OtherwiseFree()
    {
        Assert.Equal(2166136261u, QueuePartitions.Hash(""));   // FNV-1a, pinned: placement must never change between releases
        Assert.Equal(QueuePartitions.Hash("orders-42"), QueuePartitions.Hash(new string("orders-42".AsSpan())));
        Assert.Equal(QueuePartitions.Hash("tenant-a") % 8, (uint)QueuePartitions.PinnedPartition(new EnqueueRequest { Group = "tenant-a", IdempotencyKey = "k" }, 8)!);
        Assert.Equal(QueuePartitions.Hash("k") % 8, (uint)QueuePartitions.PinnedPartition(new EnqueueRequest { IdempotencyKey = "k" }, 8)!);
        Assert.Null(QueuePartitions.PinnedPartition(new EnqueueRequest(), 8));
        Assert.Equal(0, QueuePartitions.PinnedPartition(new EnqueueRequest { Group = "g" }, 1));
        Assert.Equal((250, 334, 0, 7), (QueuePartitions.Share(1000, 4), QueuePartitions.Share(1000, 3), QueuePartitions.Share(0, 4), QueuePartitions.Share(7, 1)));
    }
}
