using Microsoft.Extensions.DependencyInjection;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

public sealed class SupervisionReminderTests
{
    [Fact]
    public async Task RunningWorker_HoldsADurableSupervisionReminder_ThatStopRemoves()
    {
        await using var c = await WorkersCluster.StartAsync(silos: 1, configure: o => o.SupervisionReminderPeriod = TimeSpan.FromSeconds(2));
        var table = c.Cluster.GetSiloServiceProvider().GetRequiredService<IReminderTable>();
        var worker = await c.StartWorker("reminded", "q-reminded");
        var id = worker.GetGrainId();

        var rows = await table.ReadRows(id, TestContext.Current.CancellationToken);
        Assert.Equal(["supervise"], rows.Reminders.Select(r => r.ReminderName));

        await worker.Stop();

        Assert.Empty((await table.ReadRows(id, TestContext.Current.CancellationToken)).Reminders);
    }
}
