using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Serialization;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.FaultHost;

/// <summary>
/// Records each attempt in an append-only file per process: <c>start|job|token|attempt|silo|unix-ms</c> before it runs and
/// <c>done|job|token|attempt|silo|unix-ms</c> once it returned. Lines are flushed one by one (the OS keeps them when the
/// process is killed). A payload <c>{"sleepMs": n}</c> runs that long (honouring cancellation); <c>{"crash": true}</c> kills
/// its own process with SIGKILL after recording its start: a poison job.
/// </summary>
internal sealed class LedgerProcessor(StreamWriter ledger, string silo)
{
    private readonly Lock gate = new();

    public static LedgerProcessor Create()
    {
        var directory = Environment.GetEnvironmentVariable("ZT_LEDGER_DIR") ?? throw new InvalidOperationException("ZT_LEDGER_DIR is not set.");
        var silo = Environment.GetEnvironmentVariable("PORT") ?? "7777";
        var file = new FileStream(Path.Combine(directory, $"ledger-{silo}-{Environment.ProcessId}.log"), FileMode.Append, FileAccess.Write, FileShare.Read);
        return new LedgerProcessor(new StreamWriter(file) { AutoFlush = true }, silo);
    }

    public async Task<object?> RunAsync(JobContext context)
    {
        var payload = context.GetPayload<Payload>() ?? new Payload(0, false);
        Record("start", context);
        if (payload.Crash)
        {
            Process.GetCurrentProcess().Kill();
        }

        if (payload.SleepMs > 0)
        {
            await Task.Delay(payload.SleepMs, context.CancellationToken);
        }

        Record("done", context);
        return new { token = context.FencingToken, silo };
    }

    private void Record(string what, JobContext context)
    {
        var line = string.Join('|', what, context.JobId, context.FencingToken.ToString(CultureInfo.InvariantCulture),
            context.Attempt.ToString(CultureInfo.InvariantCulture), silo, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        lock (gate)
        {
            ledger.WriteLine(line);
        }
    }

    private sealed record Payload([property: JsonPropertyName("sleepMs")] int SleepMs, [property: JsonPropertyName("crash")] bool Crash);
}
