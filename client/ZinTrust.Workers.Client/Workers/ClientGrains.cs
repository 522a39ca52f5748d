using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>What the client library's services share: a worker's grain once its name passed the rules, and the name its
/// records give the caller.</summary>
internal static class ClientGrains
{
    /// <summary>Who canary decisions and region moves name when they come through the client library.</summary>
    public static string By => $"client:{Environment.MachineName}";

    public static IWorkerGrain Worker(IClusterClient client, string name)
    {
        if (WorkerValidation.CheckWorkerName(name) is { } error)
        {
            throw error.ToException();
        }

        return client.GetGrain<IWorkerGrain>(name);
    }
}
