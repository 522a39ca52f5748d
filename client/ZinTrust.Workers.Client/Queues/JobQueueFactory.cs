namespace ZinTrust.Workers.Client;

/// <summary>The default <see cref="IJobQueueFactory"/>.</summary>
public sealed class JobQueueFactory(IClusterClient client) : IJobQueueFactory
{
    public IJobQueue<TPayload> Get<TPayload>(string queueName) => new JobQueue<TPayload>(client, queueName);
}
