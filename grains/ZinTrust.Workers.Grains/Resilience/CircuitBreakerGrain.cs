using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>Options of a named dependency's circuit, registered with <c>ConfigureCircuitBreaker</c>.</summary>
public sealed record DependencyCircuit(string Name, CircuitBreakerOptions Options);

[GenerateSerializer, Alias("zt.CircuitBreakerState")]
public sealed class CircuitBreakerState
{
    [Id(0)] public CircuitState State { get; set; }
    [Id(1)] public CircuitBreakerOptions? Options { get; set; }
    [Id(2)] public string? Worker { get; set; }
    [Id(3)] public DateTimeOffset? OpenedAt { get; set; }
    [Id(4)] public DateTimeOffset? RetryAt { get; set; }
    [Id(5)] public List<CircuitTransition> Transitions { get; set; } = [];
}

/// <summary>
/// A cluster-wide circuit. Failures within the window open it; an open circuit stops the worker's replicas from
/// leasing (its jobs wait) or refuses dependency calls (their jobs are deferred); after the reset timeout it lets a
/// few trials through. State and transitions are persisted; counts within the window live in memory (a restart
/// forgets failures, never an open state). Time comes from the workers' clock, so tests drive it.
/// </summary>
internal sealed partial class CircuitBreakerGrain : Grain, ICircuitBreakerGrain, IRemindable
{
    public const int MaxTransitions = 50;
    private const string RecoveryReminder = "circuit-recovery";

    private readonly IPersistentState<CircuitBreakerState> state;
    private readonly TimeProvider clock;
    private readonly IEnumerable<DependencyCircuit> dependencies;
    private readonly IAuditLog audit;
    private readonly ILogger<CircuitBreakerGrain> logger;
    private readonly Queue<DateTimeOffset> failures = new();
    private ITimer? timer;
    private ICircuitBreakerGrain? self;
    private int halfOpenSuccesses;
    private int trialsGranted;
    private DateTimeOffset lastTrialAt;
    private long successes;
    private long failed;

    public CircuitBreakerGrain(
        [PersistentState("circuit", WorkersStorage.Name)] IPersistentState<CircuitBreakerState> state,
        [FromKeyedServices(WorkersClock.Key)] TimeProvider clock,
        IEnumerable<DependencyCircuit> dependencies,
        IAuditLog audit,
        ILogger<CircuitBreakerGrain> logger)
    {
        this.audit = audit;
        this.state = state;
        this.clock = clock;
        this.dependencies = dependencies;
        this.logger = logger;
    }

    private string Name => this.GetPrimaryKeyString();

    private CircuitBreakerState S => state.State;

    private CircuitBreakerOptions Options => S.Options
        ?? dependencies.LastOrDefault(d => CircuitNames.Dependency(d.Name) == Name)?.Options
        ?? new CircuitBreakerOptions();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        self = this.AsReference<ICircuitBreakerGrain>();
        timer = clock.CreateTimer(static s => ((CircuitBreakerGrain)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        ArmTimer();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        timer?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<CircuitSnapshot> Configure(CircuitBreakerOptions options, string? worker)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problems().FirstOrDefault() is { } problem)
        {
            throw new WorkersException(WorkersErrorCodes.InvalidCircuitBreaker, $"Circuit breaker: {problem}.");
        }

        if (options != S.Options || worker != S.Worker)
        {
            S.Options = options;
            S.Worker = worker;
            await state.WriteStateAsync();
        }

        return Snapshot();
    }

    public async Task Record(int successes, int failures)
    {
        var now = clock.GetUtcNow();
        this.successes += Math.Max(0, successes);
        failed += Math.Max(0, failures);
        switch (S.State)
        {
            case CircuitState.Closed when failures > 0:
                for (int i = 0; i < failures; i++)
                {
                    this.failures.Enqueue(now);
                }

                Prune(now);
                if (this.failures.Count >= Options.FailureThreshold)
                {
                    await Move(CircuitState.Open, $"{this.failures.Count} failures within {Options.FailureWindow.TotalSeconds:0.#} s");
                }

                break;
            case CircuitState.HalfOpen when failures > 0:
                await Move(CircuitState.Open, "a trial failed");
                break;
            case CircuitState.HalfOpen:
                halfOpenSuccesses += Math.Max(0, successes);
                trialsGranted = Math.Max(0, trialsGranted - successes);
                if (halfOpenSuccesses >= Options.HalfOpenAttempts)
                {
                    await Move(CircuitState.Closed, $"{halfOpenSuccesses} trials succeeded");
                }

                break;
        }
    }

    public async Task<CircuitPermit> TryAcquire()
    {
        await Advance();
        switch (S.State)
        {
            case CircuitState.Closed:
                return new CircuitPermit(true, CircuitState.Closed, TimeSpan.Zero);
            case CircuitState.HalfOpen when trialsGranted < Options.HalfOpenAttempts:
                trialsGranted++;
                lastTrialAt = clock.GetUtcNow();
                ArmTimer();
                return new CircuitPermit(true, CircuitState.HalfOpen, TimeSpan.Zero);
            case CircuitState.HalfOpen:
                // The trials are out; their results decide. Ask again in a moment.
                return new CircuitPermit(false, CircuitState.HalfOpen, TimeSpan.FromSeconds(1));
            default:
                var wait = (S.RetryAt ?? clock.GetUtcNow()) - clock.GetUtcNow();
                return new CircuitPermit(false, CircuitState.Open, wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait);
        }
    }

    public Task<CircuitSnapshot> Get() => Task.FromResult(Snapshot());

    public async Task<CircuitSnapshot> Reset()
    {
        failures.Clear();
        if (S.State != CircuitState.Closed)
        {
            await Move(CircuitState.Closed, "reset by an operator", byOperator: true);
        }

        return Snapshot();
    }

    public async Task<CircuitSnapshot> Trip()
    {
        if (S.State != CircuitState.Open)
        {
            await Move(CircuitState.Open, "opened by an operator", byOperator: true);
        }

        return Snapshot();
    }

    public Task Tick() => Advance();

    public Task ReceiveReminder(string reminderName, TickStatus status) => Advance();

    private async Task Advance()
    {
        var now = clock.GetUtcNow();
        if (S.State == CircuitState.Open && S.RetryAt is { } due && now >= due)
        {
            await Move(CircuitState.HalfOpen, $"reset timeout ({Options.ResetTimeout.TotalSeconds:0.#} s) elapsed");
        }
        else if (S.State == CircuitState.HalfOpen && trialsGranted > 0 && now >= lastTrialAt + Options.ResetTimeout)
        {
            // Trials granted but never reported (their caller died): try again from open.
            await Move(CircuitState.Open, "no trial result within the reset timeout");
        }
    }

    private async Task Move(CircuitState to, string reason, bool byOperator = false)
    {
        var now = clock.GetUtcNow();
        var from = S.State;
        S.State = to;
        halfOpenSuccesses = 0;
        trialsGranted = 0;
        switch (to)
        {
            case CircuitState.Open:
                S.OpenedAt = now;
                S.RetryAt = now + Options.ResetTimeout;
                break;
            case CircuitState.HalfOpen:
                S.RetryAt = now;
                break;
            default:
                S.OpenedAt = null;
                S.RetryAt = null;
                failures.Clear();
                break;
        }

        S.Transitions.Add(new CircuitTransition(from, to, now, reason));
        if (S.Transitions.Count > MaxTransitions)
        {
            S.Transitions.RemoveRange(0, S.Transitions.Count - MaxTransitions);
        }

        await state.WriteStateAsync();
        LogTransition(logger, Name, from, to, reason);
        if (!byOperator)
        {
            // The circuit's own move (an operator's open or reset is recorded by the API): workers.circuit-breaker.open and so on.
            var kind = S.Worker is null ? "dependencies" : "workers";
            var move = to switch { CircuitState.Open => "open", CircuitState.HalfOpen => "half-open", _ => "close" };
            SystemDecisions.Record(audit, SystemDecisions.Entry($"{kind}.circuit-breaker.{move}", S.Worker ?? Name[(Name.IndexOf(':', StringComparison.Ordinal) + 1)..], now, reason));
        }

        ArmTimer();
        if (to == CircuitState.Closed)
        {
            if (await this.GetReminder(RecoveryReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        else
        {
            // Durable backstop: if this activation is lost while open, the reminder brings the circuit back to
            // move it on (the timer is the precise path).
            await this.RegisterOrUpdateReminder(RecoveryReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }

        if (S.Worker is { } worker)
        {
            GrainFactory.GetGrain<IWorkerGrain>(worker).OnCircuitChanged(to, Options.HalfOpenAttempts).Ignore();
        }
    }

    private void ArmTimer()
    {
        var due = S.State switch
        {
            CircuitState.Open when S.RetryAt is { } at => at,
            CircuitState.HalfOpen when trialsGranted > 0 => lastTrialAt + Options.ResetTimeout,
            _ => (DateTimeOffset?)null,
        };
        if (due is null)
        {
            timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var dueIn = due.Value - clock.GetUtcNow();
        timer?.Change(dueIn < TimeSpan.Zero ? TimeSpan.Zero : dueIn, Timeout.InfiniteTimeSpan);
    }

    private void OnTimer() => self?.Tick().Ignore();

    private void Prune(DateTimeOffset now)
    {
        while (failures.Count > 0 && now - failures.Peek() > Options.FailureWindow)
        {
            failures.Dequeue();
        }
    }

    private CircuitSnapshot Snapshot()
    {
        Prune(clock.GetUtcNow());
        return new CircuitSnapshot
        {
            Name = Name,
            State = S.State,
            Options = Options,
            FailuresInWindow = failures.Count,
            OpenedAt = S.OpenedAt,
            RetryAt = S.State == CircuitState.Open ? S.RetryAt : null,
            HalfOpenSuccesses = halfOpenSuccesses,
            Successes = successes,
            Failures = failed,
            Transitions = [.. S.Transitions],
        };
    }

    [LoggerMessage(6100, LogLevel.Warning, "Circuit {Circuit}: {From} -> {To} ({Reason})")]
    private static partial void LogTransition(ILogger logger, string circuit, CircuitState from, CircuitState to, string reason);
}
