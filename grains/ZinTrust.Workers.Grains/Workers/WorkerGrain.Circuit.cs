using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>The worker's circuit and what it lets each replica run: the effective concurrency (paused, open, half-open).</summary>
internal sealed partial class WorkerGrain
{
    /// <summary>
    /// What replica <paramref name="replica"/> may run at once: nothing while paused or while the circuit is open;
    /// in half-open, only the trials (on replica 0); otherwise the definition's concurrency.
    /// </summary>
    private int EffectiveConcurrency(WorkerDefinition definition, int replica)
    {
        if (S.Paused)
        {
            return 0;
        }

        var circuit = definition.CircuitBreakerEnabled ? S.Circuit : CircuitState.Closed;
        return circuit switch
        {
            CircuitState.Open => 0,
            CircuitState.HalfOpen => replica == 0 ? Math.Min(definition.Concurrency, Math.Max(1, S.HalfOpenAttempts)) : 0,
            _ => definition.Concurrency,
        };
    }

    private Task ApplyConcurrency(WorkerDefinition definition) =>
        Task.WhenAll(Enumerable.Range(0, definition.Replicas).Select(i => Replica(i).SetConcurrency(EffectiveConcurrency(DefinitionOf(i, definition), i))));

    private async Task ConfigureCircuit(WorkerDefinition definition)
    {
        if (!definition.CircuitBreakerEnabled)
        {
            S.Circuit = CircuitState.Closed;
            return;
        }

        var snapshot = await Circuit().Configure(definition.CircuitBreaker, Name);
        S.Circuit = snapshot.State;
        S.HalfOpenAttempts = definition.CircuitBreaker.HalfOpenAttempts;
    }

    public async Task OnCircuitChanged(CircuitState circuitState, int halfOpenAttempts)
    {
        if (!Exists || (S.Circuit == circuitState && S.HalfOpenAttempts == halfOpenAttempts))
        {
            return;
        }

        S.Circuit = circuitState;
        S.HalfOpenAttempts = halfOpenAttempts;
        await state.WriteStateAsync();
        if (S.Status is WorkerStatus.Running or WorkerStatus.Starting)
        {
            await ApplyConcurrency(S.Definition!);
        }
    }

    public async Task<CircuitSnapshot> GetCircuit()
    {
        EnsureExists();
        return S.Definition!.CircuitBreakerEnabled
            ? await Circuit().Get()
            : new CircuitSnapshot { Name = CircuitNames.Worker(Name), State = CircuitState.Closed, Options = S.Definition.CircuitBreaker };
    }

    public async Task<CircuitSnapshot> SetCircuit(bool open)
    {
        EnsureExists();
        if (!S.Definition!.CircuitBreakerEnabled)
        {
            throw new WorkersException(WorkersErrorCodes.CircuitBreakerDisabled, $"Worker '{Name}' has no circuit breaker (features.circuitBreaker is off).");
        }

        await Circuit().Configure(S.Definition.CircuitBreaker, Name);
        return open ? await Circuit().Trip() : await Circuit().Reset();
    }

    private ICircuitBreakerGrain Circuit() => GrainFactory.GetGrain<ICircuitBreakerGrain>(CircuitNames.Worker(Name));
}
