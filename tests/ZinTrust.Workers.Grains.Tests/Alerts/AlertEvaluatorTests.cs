using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains.Tests;

/// <summary>
/// The evaluator's rules without a cluster: readings in, alerts out, time given. Depth threshold 10 (critical 20), a hold of 3
/// evaluations to raise and 2 to resolve, 20 % hysteresis (a depth alert clears at 8 or fewer, a critical one at 16).
/// </summary>
public sealed class AlertEvaluatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(30);

    private readonly AlertOptions options = new()
    {
        RaiseAfter = 3,
        ResolveAfter = 2,
        HysteresisPercent = 20,
        QueueDepth = new AlertThreshold { Warning = 10, Critical = 20 },
    };

    private DateTimeOffset now = T0;

    [Fact]
    public void QueueDepth_RaisesAfterTheHold_AndResolvesOnlyBelowTheLowerClearThreshold()
    {
        var evaluator = Evaluator();

        Assert.Empty(Depth(evaluator, 11));
        Assert.Empty(Depth(evaluator, 12));
        var raised = Assert.Single(Depth(evaluator, 13));

        Assert.Equal(AlertChange.Raised, raised.Change);
        var alert = raised.Alert;
        Assert.Equal((AlertRule.QueueDepth, AlertSubjectKind.Queue, "emails", AlertSeverity.Warning), (alert.Rule, alert.SubjectKind, alert.Subject, alert.Severity));
        Assert.Equal((13.0, 10.0, 8.0, "jobs"), (alert.Value, alert.Threshold, alert.ClearThreshold, alert.Unit));
        Assert.Equal(T0, alert.Since);                       // the first breach, two evaluations before the raise
        Assert.Equal(T0 + (2 * Tick), alert.RaisedAt);
        Assert.Equal("Queue 'emails': 13 waiting jobs, above the warning threshold of 10.", alert.Message);

        Assert.Empty(Depth(evaluator, 9));                   // under the threshold, not under the clear threshold
        Assert.Empty(Depth(evaluator, 9));
        Assert.Empty(Depth(evaluator, 8));                   // clear once
        var still = Assert.Single(evaluator.Active);
        Assert.Equal((8.0, 13.0), (still.Value, still.Peak));
        var resolved = Assert.Single(Depth(evaluator, 3));   // clear twice in a row

        Assert.Equal(AlertChange.Resolved, resolved.Change);
        Assert.Equal(alert.Id, resolved.Alert.Id);
        Assert.Equal((3.0, 13.0, now - Tick), (resolved.Alert.Value, resolved.Alert.Peak, resolved.Alert.ResolvedAt));
        Assert.Equal("Back to 3 waiting jobs, at or below 8 (the clear threshold) in 2 evaluations in a row.", resolved.Alert.Resolution);
        Assert.Empty(evaluator.Active);
    }

    [Fact]
    public void AValueFlappingAcrossTheThreshold_NeverRaises_AndOnceRaised_NeitherResolvesNorRaisesAgain()
    {
        var evaluator = Evaluator();
        var changes = new List<AlertTransition>();
        for (int i = 0; i < 10; i++)
        {
            changes.AddRange(Depth(evaluator, i % 2 == 0 ? 12 : 5));   // breach, clear, breach, clear...
        }

        Assert.Empty(changes);

        changes.AddRange(Depth(evaluator, 12));
        changes.AddRange(Depth(evaluator, 12));
        changes.AddRange(Depth(evaluator, 12));
        Assert.Equal([AlertChange.Raised], changes.Select(c => c.Change));
        for (int i = 0; i < 10; i++)
        {
            changes.AddRange(Depth(evaluator, i % 2 == 0 ? 5 : 12));   // clear once, breach, clear once...
        }

        Assert.Equal([AlertChange.Raised], changes.Select(c => c.Change));
        Assert.Single(evaluator.Active);
    }

    [Fact]
    public void AWarning_EscalatesWhenTheCriticalBreachHolds_AndGoesBackWhenClearOfTheCriticalThreshold()
    {
        var evaluator = Evaluator();
        var changes = new List<AlertTransition>();
        foreach (var depth in new[] { 12, 12, 12, 25, 25 })
        {
            changes.AddRange(Depth(evaluator, depth));
        }

        Assert.Equal([AlertChange.Raised], changes.Select(c => c.Change));
        var escalated = Assert.Single(Depth(evaluator, 25));
        Assert.Equal((AlertChange.Escalated, AlertSeverity.Critical, AlertSeverity.Warning, 20.0), (escalated.Change, escalated.Alert.Severity, escalated.PreviousSeverity, escalated.Alert.Threshold));
        Assert.True(escalated.Alert.WasCritical);

        Assert.Empty(Depth(evaluator, 15));   // at or below 16: clear of the critical threshold once
        var back = Assert.Single(Depth(evaluator, 15));
        Assert.Equal((AlertChange.Deescalated, AlertSeverity.Warning, 10.0), (back.Change, back.Alert.Severity, back.Alert.Threshold));
        Assert.Equal(escalated.Alert.Id, back.Alert.Id);
        Assert.True(back.Alert.WasCritical);
    }

    [Fact]
    public void ABreachOfTheCriticalThresholdFromTheStart_RaisesACriticalAlert()
    {
        var evaluator = Evaluator();
        Depth(evaluator, 30);
        Depth(evaluator, 30);

        var raised = Assert.Single(Depth(evaluator, 30));

        Assert.Equal((AlertSeverity.Critical, 20.0), (raised.Alert.Severity, raised.Alert.Threshold));
    }

    [Fact]
    public void CpuAlerts_ComeFromSnapshots_EachSnapshotCountedOnce()
    {
        options.Cpu = new AlertThreshold { Warning = 80, Critical = 95 };
        var evaluator = Evaluator();
        var hot = Snapshot("silo-a", T0, cpu: 91);

        // The same snapshot seen by three evaluations is one reading, not three.
        for (int i = 0; i < 3; i++)
        {
            Assert.Empty(Evaluate(evaluator, AlertReadings.FromSnapshots([hot, Snapshot("silo-b", T0, cpu: 20)])));
        }

        Assert.Empty(Evaluate(evaluator, AlertReadings.FromSnapshots([Snapshot("silo-a", T0 + Tick, cpu: 92)])));
        var raised = Assert.Single(Evaluate(evaluator, AlertReadings.FromSnapshots([Snapshot("silo-a", T0 + (2 * Tick), cpu: 97)])));

        Assert.Equal((AlertRule.SiloCpu, AlertSubjectKind.Silo, "silo-a", AlertSeverity.Warning), (raised.Alert.Rule, raised.Alert.SubjectKind, raised.Alert.Subject, raised.Alert.Severity));
        Assert.Equal(T0, raised.Alert.Since);
        Assert.Equal("Silo silo-a: CPU 97.0%, above the warning threshold of 80.0%.", raised.Alert.Message);
    }

    [Fact]
    public void ASuspendedRule_ResolvesItsAlertsWithTheReason_WhileAnUnreadableSubjectKeepsItsAlert()
    {
        options.Cpu = new AlertThreshold { Warning = 80 };
        var evaluator = Evaluator();
        for (int i = 0; i < 3; i++)
        {
            var o = new AlertObservation();
            o.Readings.AddRange(AlertReadings.FromSnapshots([Snapshot("silo-a", T0 + (i * Tick), cpu: 90)]));
            o.Readings.Add(new AlertReading(AlertRule.QueueDepth, "emails", 50));
            Evaluate(evaluator, o);
        }

        Assert.Equal(2, evaluator.Active.Count);
        var unreadable = new AlertObservation();
        unreadable.Unknown.Add((AlertRule.QueueDepth, "emails"));
        unreadable.Unavailable.Add(AlertRule.SiloCpu);
        Assert.Empty(Evaluate(evaluator, unreadable));

        var stopped = new AlertObservation();
        stopped.Suspended[AlertRule.SiloCpu] = "Resource alerts disabled: resource monitoring was stopped by an operator.";
        stopped.Readings.Add(new AlertReading(AlertRule.QueueDepth, "emails", 50));
        var resolved = Assert.Single(Evaluate(evaluator, stopped));

        Assert.Equal((AlertRule.SiloCpu, AlertChange.Resolved), (resolved.Alert.Rule, resolved.Change));
        Assert.Equal("Resource alerts disabled: resource monitoring was stopped by an operator.", resolved.Alert.Resolution);
        Assert.Equal(AlertRule.QueueDepth, Assert.Single(evaluator.Active).Rule);

        var gone = Assert.Single(Evaluate(evaluator, new AlertObservation()));   // read fine, and the queue is not there
        Assert.Contains("no active worker uses it", gone.Alert.Resolution, StringComparison.Ordinal);
    }

    [Fact]
    public void HealthScore_BreachesBelowItsThreshold_AndClearsAboveItPlusTheHysteresis()
    {
        options.HealthScore = new AlertThreshold { Warning = 80, Critical = 50 };
        var evaluator = Evaluator();
        AlertTransition? raised = null;
        for (int i = 0; i < 3; i++)
        {
            raised = Evaluate(evaluator, [new AlertReading(AlertRule.WorkerHealth, "mailer", 70, T0 + (i * Tick))]).SingleOrDefault();
        }

        Assert.NotNull(raised);
        Assert.Equal((AlertSeverity.Warning, 80.0, 96.0), (raised.Alert.Severity, raised.Alert.Threshold, raised.Alert.ClearThreshold));
        Assert.Contains("below the warning threshold of 80", raised.Alert.Message, StringComparison.Ordinal);
        Assert.Empty(Evaluate(evaluator, [new AlertReading(AlertRule.WorkerHealth, "mailer", 90, T0 + (3 * Tick))]));
        Assert.Empty(Evaluate(evaluator, [new AlertReading(AlertRule.WorkerHealth, "mailer", 96, T0 + (4 * Tick))]));
        Assert.Equal(AlertChange.Resolved, Assert.Single(Evaluate(evaluator, [new AlertReading(AlertRule.WorkerHealth, "mailer", 100, T0 + (5 * Tick))])).Change);
    }

    [Fact]
    public void FailureRate_CountsAttemptsBetweenSamples_FromZeroAfterARestart_AndNeverBreachesOnTooFewAttempts()
    {
        WorkerMonitoringSample At(int seconds, long completed, long failed) => new() { At = T0.AddSeconds(seconds), Completed = completed, Failed = failed };
        var samples = new[] { At(0, 100, 10), At(60, 110, 20), At(120, 5, 5), At(180, 15, 15) };   // replicas restarted before 120 s

        Assert.Equal((25L, 25L), AlertReadings.Attempts(samples, T0));
        Assert.Equal((15L, 15L), AlertReadings.Attempts(samples, T0.AddSeconds(60)));
        var readings = AlertReadings.FromWorker("mailer", samples, T0, TimeSpan.FromMinutes(3), minRuns: 10).ToList();
        var rate = Assert.Single(readings, r => r.Rule == AlertRule.WorkerFailureRate);
        Assert.Equal((50.0, true), (rate.Value, rate.CanBreach));
        Assert.Equal("25 of 50 attempts failed in the last 3m 00s", rate.Detail);

        var few = AlertReadings.FromWorker("mailer", samples, T0, TimeSpan.FromMinutes(3), minRuns: 100).Single(r => r.Rule == AlertRule.WorkerFailureRate);
        Assert.False(few.CanBreach);
        options.FailureRate = new AlertThreshold { Warning = 10 };
        var evaluator = Evaluator();
        for (int i = 0; i < 5; i++)
        {
            Assert.Empty(Evaluate(evaluator, [few with { SampleAt = T0 + (i * Tick) }]));
        }
    }

    [Fact]
    public void AWorkersOwnThresholds_ReplaceTheDefaults_SeverityBySeverity()
    {
        options.FailureRate = new AlertThreshold { Warning = 10, Critical = 25 };
        options.Workers["flaky"] = new AlertOverride { FailureRate = new AlertThreshold { Warning = 60 } };
        options.Workers["quiet"] = new AlertOverride { FailureRate = new AlertThreshold { Warning = 0, Critical = 0 } };
        var policy = new AlertPolicy(options, "USD");

        Assert.Equal((60.0, 25.0), (policy.For(AlertRule.WorkerFailureRate, "flaky").Warning!.Value, policy.For(AlertRule.WorkerFailureRate, "flaky").Critical!.Value));
        Assert.False(policy.For(AlertRule.WorkerFailureRate, "quiet").Enabled);
        Assert.Equal(10.0, policy.For(AlertRule.WorkerFailureRate, "other").Warning);
    }

    private AlertEvaluator Evaluator()
    {
        int ids = 0;
        return new AlertEvaluator(new AlertPolicy(options, "USD"), [], () => $"alert-{++ids}");
    }

    private List<AlertTransition> Depth(AlertEvaluator evaluator, int waiting) =>
        Evaluate(evaluator, [new AlertReading(AlertRule.QueueDepth, "emails", waiting)]);

    private List<AlertTransition> Evaluate(AlertEvaluator evaluator, IEnumerable<AlertReading> readings)
    {
        var observation = new AlertObservation();
        observation.Readings.AddRange(readings);
        return Evaluate(evaluator, observation);
    }

    private List<AlertTransition> Evaluate(AlertEvaluator evaluator, AlertObservation observation)
    {
        var changes = evaluator.Evaluate(observation, now);
        now += Tick;
        return changes;
    }

    private static ResourceSnapshot Snapshot(string silo, DateTimeOffset at, double cpu) =>
        new() { Silo = silo, At = at, CpuPercent = cpu, MemoryTotalBytes = 100, MemoryLoadBytes = 10, Period = Tick };
}
