using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

[GenerateSerializer, Alias("zt.ComplianceState")]
public sealed class ComplianceState
{
    [Id(0)] public Dictionary<string, long> Encryptions { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public EncryptionSweep? Sweep { get; set; }
    [Id(2)] public List<string> SweepQueues { get; set; } = [];
    [Id(3)] public RetentionRun? Retention { get; set; }
    [Id(4)] public HashSet<string> Warned { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>See <see cref="IComplianceGrain"/>. Sweeps go one queue per timer tick, so status reads and reports are served in
/// between; progress is persisted after each queue, and the reminder resumes a sweep the grain lost with its silo.</summary>
internal sealed partial class ComplianceGrain : Grain, IComplianceGrain, IRemindable
{
    private const string Reminder = "compliance";
    private readonly IPersistentState<ComplianceState> state;
    private readonly IJobStore store;
    private readonly PayloadCipher? cipher;
    private readonly IAuditLog? audit;
    private readonly ComplianceOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger<ComplianceGrain> logger;
    private IGrainTimer? sweeping;

    public ComplianceGrain(
        [PersistentState("compliance", WorkersStorage.Name)] IPersistentState<ComplianceState> state,
        IJobStore store,
        IServiceProvider services,
        IOptions<ComplianceOptions> options,
        [FromKeyedServices(WorkersClock.Key)] TimeProvider clock,
        ILogger<ComplianceGrain> logger)
    {
        this.state = state;
        this.store = store;
        cipher = services.GetService<PayloadCipher>();
        audit = services.GetService<IAuditLog>();
        this.options = options.Value;
        this.clock = clock;
        this.logger = logger;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await this.RegisterOrUpdateReminder(Reminder, TimeSpan.FromMinutes(1), options.SweepInterval, cancellationToken);
        if (state.State.Sweep is { FinishedAt: null })
        {
            StartTimer();   // resume where the last activation stopped
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (cipher is not null && state.State.Sweep?.KeyId != cipher.Ring.ActiveKeyId)
        {
            await StartReencryption();   // a rotation: the active key changed since the last sweep
        }

        if (options.DataRetention is not null)
        {
            await RunRetention();
        }
    }

    public async Task<SubjectErasure> EraseSubject(string subject)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        var total = SubjectErasure.None;
        foreach (var queue in await QueuesAsync())
        {
            total = total.Add(await GrainFactory.GetGrain<IQueueGrain>(queue).EraseSubject(subject));
        }

        LogErased(logger, total.Queues, total.Jobs);
        if (audit is not null)
        {
            // The record names the subject only by a digest (so it can be matched to a request without holding personal data).
            await audit.AppendAsync(new AuditEntry
            {
                Actor = "system", Action = "compliance.subjects.erase", Target = DataSubjects.Digest(subject), Outcome = AuditOutcomes.Success, At = clock.GetUtcNow(),
                Details = new Dictionary<string, string>
                {
                    ["queues"] = Invariant(total.Queues), ["jobs"] = Invariant(total.Jobs), ["cancelled"] = Invariant(total.Cancelled),
                    ["anonymised"] = Invariant(total.Anonymised), ["deleted"] = Invariant(total.Deleted),
                },
            }, CancellationToken.None);
        }

        return total;
    }

    public async Task<EncryptionSweep> StartReencryption()
    {
        if (cipher is null)
        {
            throw new WorkersException(WorkersErrorCodes.EncryptionDisabled, "Encryption at rest is off on this cluster (set WORKER_ENCRYPTION_KEYS_FILE).");
        }

        if (state.State.Sweep is { FinishedAt: null } running && running.KeyId == cipher.Ring.ActiveKeyId)
        {
            return running;
        }

        var queues = await QueuesAsync();
        state.State.Sweep = new EncryptionSweep { KeyId = cipher.Ring.ActiveKeyId, StartedAt = clock.GetUtcNow(), QueuesTotal = queues.Count };
        state.State.SweepQueues = [.. queues];
        await state.WriteStateAsync();
        LogSweepStarted(logger, cipher.Ring.ActiveKeyId, queues.Count);
        StartTimer();
        return state.State.Sweep;
    }

    public async Task<RetentionRun> RunRetention()
    {
        if (options.DataRetention is not { } retention)
        {
            throw new WorkersException(WorkersErrorCodes.RetentionDisabled, "Retention is off on this cluster (WORKER_DATA_RETENTION is 0).");
        }

        var now = clock.GetUtcNow();
        var queues = await QueuesAsync();
        long deleted = 0;
        var failed = new List<string>();
        foreach (var queue in queues)
        {
            try
            {
                deleted += await GrainFactory.GetGrain<IQueueGrain>(queue).Prune(retention, includeDeadLetters: true);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed.Add(queue);
                LogRetentionFailed(logger, queue, ex);
            }
        }

        var run = new RetentionRun { At = now, Cutoff = now - retention, Queues = queues.Count, Deleted = deleted, FailedQueues = failed };
        state.State.Retention = run;
        await state.WriteStateAsync();
        LogRetention(logger, deleted, queues.Count);
        if (deleted > 0 && audit is not null)
        {
            await audit.AppendAsync(new AuditEntry
            {
                Actor = "system", Action = "compliance.retention.run", Outcome = failed.Count == 0 ? AuditOutcomes.Success : AuditOutcomes.Failed, At = now,
                Details = new Dictionary<string, string> { ["deleted"] = Invariant(deleted), ["queues"] = Invariant(queues.Count), ["days"] = Invariant((long)retention.TotalDays) },
            }, CancellationToken.None);
        }

        return run;
    }

    public Task<ComplianceSweeps> GetStatus() => Task.FromResult(new ComplianceSweeps
    {
        Encryptions = new Dictionary<string, long>(state.State.Encryptions, StringComparer.Ordinal),
        Sweep = state.State.Sweep,
        Retention = state.State.Retention,
    });

    public async Task ReportEncryptions(IReadOnlyDictionary<string, long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        foreach (var (keyId, count) in counts)
        {
            var total = state.State.Encryptions[keyId] = state.State.Encryptions.GetValueOrDefault(keyId) + count;
            if (total >= EncryptionLimits.WarnAtEncryptions && state.State.Warned.Add(keyId))
            {
                LogKeyNearLimit(logger, keyId, total, EncryptionLimits.MaxEncryptionsPerKey);
            }
        }

        await state.WriteStateAsync();
    }

    private void StartTimer() =>
        sweeping ??= this.RegisterGrainTimer(SweepNextQueue, new GrainTimerCreationOptions(TimeSpan.Zero, TimeSpan.FromMilliseconds(10)) { KeepAlive = true });

    /// <summary>One queue of the running sweep per tick; the last one finishes it.</summary>
    private async Task SweepNextQueue(CancellationToken cancellationToken)
    {
        if (state.State.Sweep is not { FinishedAt: null } sweep || state.State.SweepQueues.Count == 0)
        {
            await FinishSweep();
            return;
        }

        var queue = state.State.SweepQueues[0];
        var failed = sweep.FailedQueues;
        long records = 0;
        try
        {
            records = await GrainFactory.GetGrain<IQueueGrain>(queue).Reencrypt();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failed = [.. failed, queue];
            LogSweepQueueFailed(logger, queue, ex);
        }

        state.State.SweepQueues.RemoveAt(0);
        state.State.Sweep = sweep with { QueuesDone = sweep.QueuesDone + 1, Records = sweep.Records + records, FailedQueues = failed };
        if (state.State.SweepQueues.Count == 0)
        {
            await FinishSweep();
        }
        else
        {
            await state.WriteStateAsync(cancellationToken);
        }
    }

    private async Task FinishSweep()
    {
        sweeping?.Dispose();
        sweeping = null;
        if (state.State.Sweep is { FinishedAt: null } sweep)
        {
            state.State.Sweep = sweep with { FinishedAt = clock.GetUtcNow() };
            await state.WriteStateAsync();
            LogSweepFinished(logger, sweep.KeyId, sweep.QueuesDone, sweep.Records, sweep.FailedQueues.Count);
        }
    }

    /// <summary>Every queue with data in the store, and every registered worker's queue. The store names each partition of a
    /// partitioned queue by its own key (<c>{queue}#{p}</c>, see <see cref="QueuePartitions"/>), so sweeps reach every partition
    /// that holds something, each through its own grain.</summary>
    private async Task<List<string>> QueuesAsync()
    {
        var queues = new SortedSet<string>(await store.ListQueuesAsync(CancellationToken.None), StringComparer.Ordinal);
        foreach (var worker in await GrainFactory.GetGrain<IWorkerRegistryGrain>(0).List(includeInactive: true))
        {
            queues.UnionWith(worker.QueueNames);
        }

        return [.. queues];
    }

    private static string Invariant(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
