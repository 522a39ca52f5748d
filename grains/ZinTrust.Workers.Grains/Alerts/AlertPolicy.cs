using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// The rules as the evaluator applies them: each rule's thresholds (a worker's or queue's own ones replacing the defaults,
/// severity by severity), the hold (<see cref="RaiseAfter"/>, <see cref="ResolveAfter"/>) and the hysteresis.
/// </summary>
internal sealed class AlertPolicy
{
    private readonly AlertOptions options;

    public AlertPolicy(AlertOptions options, string currency)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        Currency = currency;
        RaiseAfter = options.RaiseAfter;
        ResolveAfter = options.ResolveAfter;
        Hysteresis = options.HysteresisPercent / 100;
    }

    public int RaiseAfter { get; }

    public int ResolveAfter { get; }

    /// <summary>The hysteresis as a fraction of a threshold (0.1 for 10 %).</summary>
    public double Hysteresis { get; }

    /// <summary>The currency cost thresholds and values are in.</summary>
    public string Currency { get; }

    /// <summary>Whether the rule can raise anything: a default threshold or some subject's own one is on.</summary>
    public bool IsEnabled(AlertRule rule) =>
        Levels.Of(rule, options.Thresholds(rule)).Enabled
        || OverridesOf(rule).Any(o => AlertOptionsValidator.Of(o, rule) is { } t && (On(t.Warning) || On(t.Critical)));

    /// <summary>The thresholds that apply to <paramref name="subject"/> under <paramref name="rule"/>.</summary>
    public Levels For(AlertRule rule, string subject)
    {
        var defaults = options.Thresholds(rule);
        var own = OverridesOf(rule, subject) is { } entry ? AlertOptionsValidator.Of(entry, rule) : null;
        return new Levels(rule, Pick(own?.Warning, defaults.Warning), Pick(own?.Critical, defaults.Critical));
    }

    /// <summary>The default thresholds of every rule, as the status shows them.</summary>
    public IReadOnlyList<AlertRuleSettings> Settings() =>
    [
        .. AlertRules.Values.Select(rule =>
        {
            var levels = Levels.Of(rule, options.Thresholds(rule));
            return new AlertRuleSettings
            {
                Rule = rule,
                Warning = levels.Warning,
                Critical = levels.Critical,
                HigherIsWorse = AlertRules.HigherIsWorse(rule),
                Unit = UnitOf(rule),
            };
        }),
    ];

    /// <summary>The unit an alert of <paramref name="rule"/> shows: its rule's, or the currency for costs.</summary>
    public string UnitOf(AlertRule rule) => rule == AlertRule.ClusterCost ? Currency : AlertRules.Unit(rule);

    private static double? Pick(double? own, double? fallback) => own is { } value ? (On(value) ? value : null) : On(fallback) ? fallback : null;

    private static bool On(double? value) => value is > 0;

    private IEnumerable<AlertOverride> OverridesOf(AlertRule rule) => AlertRules.SubjectOf(rule) switch
    {
        AlertSubjectKind.Worker => options.Workers.Values,
        AlertSubjectKind.Queue => options.Queues.Values,
        _ => [],
    };

    private AlertOverride? OverridesOf(AlertRule rule, string subject) => AlertRules.SubjectOf(rule) switch
    {
        AlertSubjectKind.Worker => options.Workers.GetValueOrDefault(subject),
        AlertSubjectKind.Queue => options.Queues.GetValueOrDefault(subject),
        _ => null,
    };

    /// <summary>One subject's thresholds under one rule (null: that severity is off).</summary>
    internal readonly record struct Levels(AlertRule Rule, double? Warning, double? Critical)
    {
        public bool Enabled => Warning is not null || Critical is not null;

        public bool HigherIsWorse => AlertRules.HigherIsWorse(Rule);

        /// <summary>The threshold an alert resolves against: the warning's, or the critical's when there is no warning.</summary>
        public double? Lowest => Warning ?? Critical;

        public static Levels Of(AlertRule rule, AlertThreshold threshold) =>
            new(rule, threshold.Warning is > 0 ? threshold.Warning : null, threshold.Critical is > 0 ? threshold.Critical : null);

        /// <summary>Strictly past the threshold: above it when higher is worse, below it otherwise.</summary>
        public bool Breaches(double value, double threshold) => HigherIsWorse ? value > threshold : value < threshold;

        /// <summary>The value a breach of <paramref name="threshold"/> clears at: the threshold less (or, for scores, plus) the
        /// hysteresis share of it (a score or percentage never past 100).</summary>
        public double ClearOf(double threshold, double hysteresis)
        {
            double clear = HigherIsWorse ? threshold * (1 - hysteresis) : threshold * (1 + hysteresis);
            return AlertRules.Unit(Rule) is "percent" or "score" ? Math.Min(clear, 100) : clear;
        }

        /// <summary>At or past the clear value: at or below it when higher is worse, at or above it otherwise.</summary>
        public bool Clears(double value, double clear) => HigherIsWorse ? value <= clear : value >= clear;

        /// <summary>The worse of two values.</summary>
        public double Worse(double a, double b) => HigherIsWorse ? Math.Max(a, b) : Math.Min(a, b);
    }
}
