using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Turns readings into alerts, with a hold and hysteresis so that a value hovering around a threshold neither raises an alert
/// each time it crosses nor resolves one each time it dips:
/// <list type="bullet">
/// <item>an alert is raised when the value breaches a threshold in <see cref="AlertPolicy.RaiseAfter"/> evaluations in a row
/// (critical when the critical threshold was breached that long, else warning); a warning escalates when the critical breach
/// then holds that long;</item>
/// <item>it resolves when the value is at or past the clear threshold (the lowest severity's threshold less the hysteresis) in
/// <see cref="AlertPolicy.ResolveAfter"/> evaluations in a row; a critical one goes back to a warning when it is clear of the
/// critical threshold that long but not of the warning one;</item>
/// <item>a reading taken from a sample already evaluated counts once; an alert whose subject is no longer measured (the
/// worker stopped, the silo left, the rule was suspended) resolves, saying why; one whose reading failed stays as it is.</item>
/// </list>
/// Pure and single-threaded: owned by the alert grain, time given by the caller. Holds are kept in memory only.
/// </summary>
internal sealed class AlertEvaluator
{
    private readonly AlertPolicy policy;
    private readonly Func<string> newId;
    private readonly Dictionary<(AlertRule Rule, string Subject), Hold> holds = [];
    private readonly Dictionary<(AlertRule Rule, string Subject), Alert> active = [];

    public AlertEvaluator(AlertPolicy policy, IEnumerable<Alert> active, Func<string>? newId = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(active);
        this.policy = policy;
        this.newId = newId ?? (static () => Guid.NewGuid().ToString("N"));
        foreach (var alert in active)
        {
            this.active[(alert.Rule, alert.Subject)] = alert;
        }
    }

    /// <summary>The active alerts as of the last evaluation (values and last-seen times included).</summary>
    public IReadOnlyCollection<Alert> Active => active.Values;

    public List<AlertTransition> Evaluate(AlertObservation observation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var changes = new List<AlertTransition>();
        var seen = new HashSet<(AlertRule, string)>();
        foreach (var reading in observation.Readings)
        {
            var key = (reading.Rule, reading.Subject);
            if (observation.Suspended.ContainsKey(reading.Rule) || !seen.Add(key))
            {
                continue;
            }

            var levels = policy.For(reading.Rule, reading.Subject);
            if (!levels.Enabled)
            {
                continue;   // this subject's own thresholds turn the rule off: handled below like a rule turned off
            }

            if (!holds.TryGetValue(key, out var hold))
            {
                holds[key] = hold = new Hold();
            }

            if (reading.SampleAt is { } sampled)
            {
                if (hold.LastSampleAt is { } last && sampled <= last)
                {
                    continue;   // the same sample as last time: nothing new to count
                }

                hold.LastSampleAt = sampled;
            }

            if (Observe(hold, levels, reading, reading.SampleAt ?? now, now) is { } change)
            {
                changes.Add(change);
            }
        }

        foreach (var (key, alert) in active.ToArray())
        {
            if (seen.Contains(key) && policy.For(key.Rule, key.Subject).Enabled)
            {
                continue;
            }

            string? why = observation.Suspended.TryGetValue(key.Rule, out var suspended) ? suspended
                : !policy.For(key.Rule, key.Subject).Enabled ? "its rule is turned off for this subject"
                : observation.Unavailable.Contains(key.Rule) || observation.Unknown.Contains(key) ? null
                : AlertMessages.Gone(alert.SubjectKind, alert.Subject);
            if (why is not null)
            {
                changes.Add(Resolve(key, alert, now, why));
            }
        }

        foreach (var key in holds.Keys.ToArray())
        {
            if (!seen.Contains(key) && !observation.Unavailable.Contains(key.Rule) && !observation.Unknown.Contains(key))
            {
                holds.Remove(key);   // not measured any more: a hold starts afresh when it is
            }
        }

        return changes;
    }

    private AlertTransition? Observe(Hold hold, AlertPolicy.Levels levels, AlertReading reading, DateTimeOffset at, DateTimeOffset now)
    {
        double value = reading.Value;
        bool warning = reading.CanBreach && levels.Warning is { } w && levels.Breaches(value, w);
        bool critical = reading.CanBreach && levels.Critical is { } c && levels.Breaches(value, c);
        double clearAt = levels.ClearOf(levels.Lowest!.Value, policy.Hysteresis);
        bool clear = !reading.CanBreach || levels.Clears(value, clearAt);
        bool criticalClear = levels.Critical is { } cc && (!reading.CanBreach || levels.Clears(value, levels.ClearOf(cc, policy.Hysteresis)));

        hold.Breaching = warning || critical ? hold.Breaching + 1 : 0;
        hold.FirstBreachAt = hold.Breaching == 1 ? at : hold.Breaching == 0 ? null : hold.FirstBreachAt;
        hold.Critical = critical ? hold.Critical + 1 : 0;
        hold.Clear = clear ? hold.Clear + 1 : 0;
        hold.CriticalClear = criticalClear ? hold.CriticalClear + 1 : 0;

        var key = (reading.Rule, reading.Subject);
        if (!active.TryGetValue(key, out var alert))
        {
            if (hold.Breaching < policy.RaiseAfter)
            {
                return null;
            }

            var severity = hold.Critical >= policy.RaiseAfter ? AlertSeverity.Critical : AlertSeverity.Warning;
            double threshold = (severity == AlertSeverity.Critical ? levels.Critical : levels.Warning)!.Value;
            alert = new Alert
            {
                Id = newId(),
                Rule = reading.Rule,
                SubjectKind = AlertRules.SubjectOf(reading.Rule),
                Subject = reading.Subject,
                Severity = severity,
                Value = value,
                Peak = value,
                Threshold = threshold,
                ClearThreshold = clearAt,
                Unit = policy.UnitOf(reading.Rule),
                Since = hold.FirstBreachAt ?? at,
                RaisedAt = now,
                LastSeenAt = now,
                Message = AlertMessages.Breach(reading, severity, threshold, levels.HigherIsWorse, policy.Currency),
                WasCritical = severity == AlertSeverity.Critical,
            };
            active[key] = alert;
            return new AlertTransition(alert, AlertChange.Raised, null);
        }

        alert = alert with { Value = value, Peak = levels.Worse(alert.Peak, value), LastSeenAt = now, ClearThreshold = clearAt };
        active[key] = alert;
        if (hold.Clear >= policy.ResolveAfter)
        {
            var resolution = AlertMessages.Cleared(reading, clearAt, policy.ResolveAfter, levels.HigherIsWorse, policy.Currency);
            return Resolve(key, alert, now, resolution);
        }

        if (alert.Severity == AlertSeverity.Warning && hold.Critical >= policy.RaiseAfter)
        {
            double threshold = levels.Critical!.Value;
            alert = alert with
            {
                Severity = AlertSeverity.Critical,
                Threshold = threshold,
                WasCritical = true,
                Message = AlertMessages.Breach(reading, AlertSeverity.Critical, threshold, levels.HigherIsWorse, policy.Currency),
            };
            active[key] = alert;
            return new AlertTransition(alert, AlertChange.Escalated, AlertSeverity.Warning);
        }

        if (alert.Severity == AlertSeverity.Critical && levels.Warning is { } warningAt
            && (hold.CriticalClear >= policy.ResolveAfter || levels.Critical is null))
        {
            alert = alert with
            {
                Severity = AlertSeverity.Warning,
                Threshold = warningAt,
                Message = AlertMessages.Breach(reading, AlertSeverity.Warning, warningAt, levels.HigherIsWorse, policy.Currency),
            };
            active[key] = alert;
            return new AlertTransition(alert, AlertChange.Deescalated, AlertSeverity.Critical);
        }

        return null;
    }

    private AlertTransition Resolve((AlertRule, string) key, Alert alert, DateTimeOffset now, string why)
    {
        active.Remove(key);
        holds.Remove(key);
        var resolved = alert with { ResolvedAt = now, Resolution = why };
        return new AlertTransition(resolved, AlertChange.Resolved, null);
    }

    /// <summary>Evaluations in a row that breached (any severity), breached the critical threshold, were clear, were clear of
    /// the critical threshold; the first breach's time; the last sample counted.</summary>
    private sealed class Hold
    {
        public int Breaching { get; set; }

        public int Critical { get; set; }

        public int Clear { get; set; }

        public int CriticalClear { get; set; }

        public DateTimeOffset? FirstBreachAt { get; set; }

        public DateTimeOffset? LastSampleAt { get; set; }
    }
}
