using System.Text.Json;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.SpecProcessor;

/// <summary>Answers a job with its payload and where it ran from; counts, in the process' data, how often its code was initialised.</summary>
public sealed class SpecEchoProcessor : IJobProcessor
{
    /// <summary>The AppDomain data slot counting type initialisations (the tests read it to see whether the code ever ran).</summary>
    public const string InitialisedSlot = "ZinTrust.Workers.SpecProcessor.Initialised";

    private static readonly int Initialised = CountInitialisation();

    public Task<object?> ProcessAsync(JobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var payload = JsonDocument.Parse(context.Payload);
        return Task.FromResult<object?>(new { from = "processor-spec", initialised = Initialised, payload = payload.RootElement.Clone() });
    }

    private static int CountInitialisation()
    {
        var count = (AppDomain.CurrentDomain.GetData(InitialisedSlot) as int? ?? 0) + 1;
        AppDomain.CurrentDomain.SetData(InitialisedSlot, count);
        return count;
    }
}
