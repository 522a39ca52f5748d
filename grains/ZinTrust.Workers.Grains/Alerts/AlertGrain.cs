using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>Evaluates now (what the evaluator's timer does); for the timer and for tests under a fake clock.</summary>
[Alias("zt.IAlertTicks")]
internal interface IAlertTicks : IGrainWithStringKey
{
    [Alias("Evaluate")]
    Task Evaluate();
}

/// <summary>
/// The cluster's alert evaluator (key <see cref="IAlertGrain.Key"/>). A timer on the workers clock evaluates every
/// WORKER_ALERT_INTERVAL: it reads what the rules watch (<see cref="Observe"/>), lets <see cref="AlertEvaluator"/> decide, writes
/// the alerts that changed, and tells the log, the audit log (critical ones), plugins and the sinks (the webhook). A reminder
/// (every <see cref="AlertOptions.ReminderPeriod"/>) brings it back on another silo when the silo hosting it stops, and every
/// silo wakes it at start. Worker and queue rules run whatever the resource monitor does; the resource rules (CPU, memory,
/// cost) only while it runs.
/// </summary>
internal sealed partial class AlertGrain : Grain, IAlertGrain, IAlertTicks, IRemindable
{
    private const string ReminderName = "alerts";
    private static readonly TimeSpan StateRefresh = TimeSpan.FromMinutes(5);

    private readonly IPersistentState<AlertGrainState> state;
    private readonly AlertOptions options;
    private readonly WorkersOptions workers;
    private readonly CostOptions costs;
    private readonly TimeProvider clock;
    private readonly string silo;
    private readonly PluginHost plugins;
    private readonly IAuditLog audit;
    private readonly IAlertSink[] sinks;
    private readonly ILogger<AlertGrain> logger;
    private readonly AlertPolicy policy;
    private readonly QueueSeries series;
    private AlertEvaluator evaluator = null!;
    private IGrainReminder? reminder;
    private ITimer? timer;
    private IGrainTimer? keepAlive;
    private IAlertTicks? self;
    private int ticking;
    private long evaluations;
    private DateTimeOffset? lastEvaluatedAt;
    private DateTimeOffset lastWrite;
    private IReadOnlyList<string> problems = [];
    private ResourceMonitorGate? monitorGate;
    private Task pluginEvents = Task.CompletedTask;

    public AlertGrain(
        [PersistentState("alerts", WorkersStorage.Name)] IPersistentState<AlertGrainState> state,
        IOptions<AlertOptions> options,
        IOptions<WorkersOptions> workers,
        IOptions<CostOptions> costs,
        [FromKeyedServices(WorkersClock.Key)] TimeProvider clock,
        ILocalSiloDetails silo,
        PluginHost plugins,
        IAuditLog audit,
        IEnumerable<IAlertSink> sinks,
        ILogger<AlertGrain> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(workers);
        ArgumentNullException.ThrowIfNull(costs);
        ArgumentNullException.ThrowIfNull(silo);
        this.state = state;
        this.options = options.Value;
        this.workers = workers.Value;
        this.costs = costs.Value;
        this.clock = clock;
        this.silo = silo.SiloAddress.ToString();
        this.plugins = plugins;
        this.audit = audit;
        this.sinks = [.. sinks];
        this.logger = logger;
        policy = new AlertPolicy(this.options, this.costs.Currency);
        series = new QueueSeries(this.options.Interval);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        self = this.AsReference<IAlertTicks>();
        evaluator = new AlertEvaluator(policy, state.State.Active);
        lastEvaluatedAt = state.State.LastEvaluatedAt;
        lastWrite = clock.GetUtcNow();
        try
        {
            reminder = await this.GetReminder(ReminderName, cancellationToken);
            await Ensure();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The reminder table may be unreachable for a moment; the next silo start or the reminder itself tries again.
            LogEnsureFailed(logger, ex);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        timer?.Dispose();
        timer = null;
        keepAlive?.Dispose();
        keepAlive = null;
        return Task.CompletedTask;
    }

    public async Task<AlertStatus> Ensure()
    {
        if (options.Enabled)
        {
            Arm();
            reminder ??= await this.RegisterOrUpdateReminder(ReminderName, options.ReminderPeriod, options.ReminderPeriod);
        }
        else
        {
            timer?.Dispose();
            timer = null;
            if (reminder is not null)
            {
                await this.UnregisterReminder(reminder);
                reminder = null;
            }
        }

        return Status();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Ensure();

    public async Task<AlertReport> GetAlerts(AlertStateFilter state, int limit)
    {
        await RefreshMonitorGate();
        var active = evaluator.Active.OrderByDescending(a => a.Severity).ThenByDescending(a => a.RaisedAt).ThenBy(a => a.Id, StringComparer.Ordinal);
        var resolved = Enumerable.Reverse(this.state.State.Resolved);
        IEnumerable<Alert> chosen = state switch
        {
            AlertStateFilter.Active => active,
            AlertStateFilter.Resolved => resolved,
            _ => active.Concat(resolved),
        };
        return new AlertReport
        {
            Status = Status(),
            Alerts = [.. chosen.Take(Math.Clamp(limit, 1, AlertOptionsValidator.MaxHistoryLimit))],
            ActiveCount = evaluator.Active.Count,
            ResolvedCount = this.state.State.Resolved.Count,
        };
    }

    public async Task Evaluate()
    {
        if (!options.Enabled)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var observation = await Observe(now);
        var changes = evaluator.Evaluate(observation, now);
        evaluations++;
        lastEvaluatedAt = now;
        problems = [.. observation.Problems];
        series.Trim(now);
        if (changes.Count > 0 || (evaluator.Active.Count > 0 && now - lastWrite >= StateRefresh))
        {
            await Persist(changes, now);
        }

        foreach (var change in changes)
        {
            Publish(change, now);
        }
    }

    private void Arm()
    {
        // The first evaluation one interval after activation, then one per interval. The timer runs on the workers clock (faked
        // in tests) and enters the grain through a call, so each evaluation is a grain turn; a round still running when the next
        // is due is not doubled. The keep-alive timer keeps the activation (and its holds and series) between rounds.
        timer ??= clock.CreateTimer(static s => ((AlertGrain)s!).OnTimer(), this, options.Interval, options.Interval);
        keepAlive ??= this.RegisterGrainTimer(
            static (_, _) => Task.CompletedTask,
            this,
            new GrainTimerCreationOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) { KeepAlive = true });
    }

    private void OnTimer()
    {
        if (self is null || Interlocked.CompareExchange(ref ticking, 1, 0) != 0)
        {
            return;
        }

        self.Evaluate().ContinueWith(
            static (t, s) =>
            {
                var grain = (AlertGrain)s!;
                Volatile.Write(ref grain.ticking, 0);
                if (t.IsFaulted)
                {
                    LogEvaluateFailed(grain.logger, t.Exception!.GetBaseException());
                }
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    private async Task Persist(List<AlertTransition> changes, DateTimeOffset now)
    {
        var s = state.State;
        s.Active = [.. evaluator.Active];
        foreach (var change in changes.Where(c => c.Change == AlertChange.Resolved))
        {
            s.Resolved.Add(change.Alert);
        }

        if (s.Resolved.Count > options.HistoryLimit)
        {
            s.Resolved.RemoveRange(0, s.Resolved.Count - options.HistoryLimit);
        }

        s.LastEvaluatedAt = now;
        try
        {
            await state.WriteStateAsync();
            lastWrite = now;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The changes are told all the same; the next evaluation writes again. Lost only if this activation ends first.
            LogPersistFailed(logger, ex);
        }
    }

    /// <summary>The log, the meter, the audit log (critical alerts: raised or escalated, and their resolution), plugins (in order,
    /// off this turn) and the sinks (which queue).</summary>
    private void Publish(AlertTransition change, DateTimeOffset now)
    {
        var alert = change.Alert;
        string rule = AlertRules.Name(alert.Rule);
        switch (change.Change)
        {
            case AlertChange.Raised when alert.Severity == AlertSeverity.Critical:
                LogRaisedCritical(logger, rule, alert.Subject, alert.Id, alert.Message);
                break;
            case AlertChange.Raised:
                LogRaisedWarning(logger, rule, alert.Subject, alert.Id, alert.Message);
                break;
            case AlertChange.Escalated:
                LogEscalated(logger, rule, alert.Subject, alert.Id, alert.Message);
                break;
            case AlertChange.Deescalated:
                LogDeescalated(logger, rule, alert.Subject, alert.Id, alert.Message);
                break;
            default:
                LogResolved(logger, rule, alert.Subject, alert.Id, alert.Resolution ?? "");
                break;
        }

        WorkersInstruments.AlertChanges.Add(
            1,
            new KeyValuePair<string, object?>(WorkersInstruments.AlertRuleTag, rule),
            new KeyValuePair<string, object?>(WorkersInstruments.AlertSeverityTag, AlertRules.Name(alert.Severity)),
            new KeyValuePair<string, object?>(WorkersInstruments.AlertChangeTag, AlertRules.Name(change.Change)));

        bool critical = change.Change switch
        {
            AlertChange.Raised => alert.Severity == AlertSeverity.Critical,
            AlertChange.Escalated => true,
            AlertChange.Resolved => alert.WasCritical,
            _ => false,
        };
        if (critical)
        {
            var action = change.Change == AlertChange.Resolved ? "alerts.resolve" : "alerts.raise";
            SystemDecisions.Record(audit, SystemDecisions.Entry(action, $"{rule}/{alert.Subject}", now, (change.Change == AlertChange.Resolved ? alert.Resolution : alert.Message) ?? ""));
        }

        if (plugins.HasPlugins)
        {
            var context = new PluginAlertContext { Alert = alert, Change = change.Change, PreviousSeverity = change.PreviousSeverity, At = now, Silo = silo };
            var host = plugins;
            pluginEvents = pluginEvents.ContinueWith(_ => host.NotifyAlertAsync(context).AsTask(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }

        var notification = new AlertNotification(alert, change.Change, change.PreviousSeverity, now, silo);
        foreach (var sink in sinks)
        {
            sink.Publish(notification);
        }
    }

    private async Task RefreshMonitorGate()
    {
        try
        {
            monitorGate = (await GrainFactory.GetGrain<IResourceMonitorGrain>(0).GetStatus()).Gate;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSourceFailed(logger, "resource monitor", ex);   // the status shows the gate the last evaluation saw
        }
    }

    private AlertStatus Status()
    {
        bool resourceRules = AlertRules.Values.Where(AlertRules.IsResource).Any(policy.IsEnabled);
        return new AlertStatus
        {
            Enabled = options.Enabled,
            Interval = options.Interval,
            LastEvaluatedAt = lastEvaluatedAt,
            ResourceAlertsEnabled = options.Enabled && resourceRules && monitorGate is ResourceMonitorGate.Running,
            ResourceMonitor = monitorGate ?? ResourceMonitorGate.NoWorkerRequestsIt,
            RaiseAfter = options.RaiseAfter,
            ResolveAfter = options.ResolveAfter,
            HysteresisPercent = options.HysteresisPercent,
            Rules = policy.Settings(),
            Host = silo,
            Problems = problems,
            WebhookConfigured = options.WebhookUrl is not null,
            Evaluations = evaluations,
        };
    }
}
