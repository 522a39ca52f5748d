using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The failover watch's clock: since when the condition it waits for has held.</summary>
[GenerateSerializer, Alias("zt.FailoverGrainState")]
public sealed class FailoverGrainState
{
    /// <summary>Running in the primary: since when the primary has had no active silo. In the secondary: since when the
    /// primary has been healthy again. Null while the condition does not hold.</summary>
    [Id(0)] public DateTimeOffset? ConditionSince { get; set; }
}

/// <summary>
/// Watches one worker's failover policy (see <see cref="IFailoverGrain"/>). A timer checks the primary region every quarter
/// of the policy's interval (at least 250 ms, at most 10 s): with no active silo there for the whole interval, the replicas
/// move to the secondary (if it has an active silo); back in health for the whole fail-back hold, they move home. The clock
/// is persisted, so a watch that moves with its silo keeps it. A durable reminder, and the worker's supervision, re-arm the
/// watch wherever the grain is re-activated.
/// </summary>
internal sealed partial class FailoverGrain(
    [PersistentState("failover", WorkersStorage.Name)] IPersistentState<FailoverGrainState> state,
    RegionDirectory regions,
    IOptions<WorkersOptions> options,
    [FromKeyedServices(WorkersClock.Key)] TimeProvider clock,
    IAuditLog audit,
    ILogger<FailoverGrain> logger) : Grain, IFailoverGrain, IRemindable
{
    private const string Reminder = "failover";
    private IGrainTimer? timer;
    private TimeSpan timerPeriod;
    private bool reminderKnown;

    private string WorkerName => this.GetPrimaryKeyString();

    public async Task Watch()
    {
        var status = await Status();
        if (status?.Failover is { AutoFailover: true } policy)
        {
            await Arm(policy);
        }
        else
        {
            await Disarm();
        }
    }

    public Task Evaluate() => EvaluateCore();

    public Task<DateTimeOffset?> GetConditionSince() => Task.FromResult(state.State.ConditionSince);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        reminderKnown = true;
        await Watch();
        await EvaluateCore();
    }

    private async Task EvaluateCore()
    {
        var status = await Status();
        if (status?.Failover is not { AutoFailover: true } policy)
        {
            await Disarm();
            return;
        }

        var now = clock.GetUtcNow();
        bool inSecondary = status.Region == policy.SecondaryRegion;
        bool primaryHealthy = regions.IsHealthy(policy.PrimaryRegion);

        // In the primary, the clock runs while it is down; in the secondary, while the primary is back.
        bool conditionHolds = inSecondary ? primaryHealthy : !primaryHealthy;
        if (!conditionHolds)
        {
            await SetSince(null);
            return;
        }

        await SetSince(state.State.ConditionSince ?? now);
        var held = now - state.State.ConditionSince!.Value;
        if (!inSecondary && held >= policy.HealthCheckInterval)
        {
            if (!regions.IsHealthy(policy.SecondaryRegion))
            {
                LogNowhereToGo(logger, WorkerName, policy.PrimaryRegion, policy.SecondaryRegion);
                return;
            }

            await Move(policy.SecondaryRegion, "failover", $"region {policy.PrimaryRegion} had no active silo for {Seconds(held)}");
        }
        else if (inSecondary && held >= policy.FailbackHold)
        {
            await Move(policy.PrimaryRegion, "failback", $"region {policy.PrimaryRegion} was healthy again for {Seconds(held)}");
        }
    }

    private async Task Move(string region, string kind, string reason)
    {
        await GrainFactory.GetGrain<IWorkerGrain>(WorkerName).MoveToRegion(region, kind, reason);
        await SetSince(null);
        var entry = SystemDecisions.Entry($"workers.{kind}", WorkerName, clock.GetUtcNow(), reason);
        SystemDecisions.Record(audit, entry with { Details = new Dictionary<string, string>(entry.Details!, StringComparer.Ordinal) { ["region"] = region } });
    }

    private async Task SetSince(DateTimeOffset? since)
    {
        if (state.State.ConditionSince != since)
        {
            state.State.ConditionSince = since;
            await state.WriteStateAsync();
        }
    }

    private async Task<WorkerRegionStatus?> Status()
    {
        try
        {
            return await GrainFactory.GetGrain<IWorkerGrain>(WorkerName).GetRegionStatus();
        }
        catch (WorkersException ex) when (ex.Code == WorkersErrorCodes.WorkerNotFound)
        {
            return null;
        }
    }

    private async Task Arm(FailoverPolicy policy)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(policy.HealthCheckInterval.Ticks / 4, TimeSpan.FromMilliseconds(250).Ticks, TimeSpan.FromSeconds(10).Ticks));
        if (timer is null || timerPeriod != period)
        {
            timer?.Dispose();
            timerPeriod = period;
            timer = this.RegisterGrainTimer(static (g, _) => g.EvaluateCore(), this, new GrainTimerCreationOptions(period, period) { KeepAlive = true });
        }

        if (!reminderKnown)
        {
            await this.RegisterOrUpdateReminder(Reminder, options.Value.SupervisionReminderPeriod, options.Value.SupervisionReminderPeriod);
            reminderKnown = true;
        }
    }

    private async Task Disarm()
    {
        timer?.Dispose();
        timer = null;
        if (await this.GetReminder(Reminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        reminderKnown = false;
        await SetSince(null);
        this.DeactivateOnIdle();
    }

    private static string Seconds(TimeSpan span) => FormattableString.Invariant($"{span.TotalSeconds:0.#} s");

    [LoggerMessage(3210, LogLevel.Error, "Worker {Worker}: region {Primary} is down but the secondary region {Secondary} has no active silo either; the replicas stay")]
    private static partial void LogNowhereToGo(ILogger logger, string worker, string primary, string secondary);
}
