namespace ZinTrust.Workers.Client;

/// <summary>The default <see cref="IJobQueueFactory"/>.</summary>
internal sealed class JobQueueFactory(IClusterClient client, EnqueueRetry retry, JobResultWaiter waiter) : IJobQueueFactory
{
    public IJobQueue<TPayload> Get<TPayload>(string queueName) => new JobQueue<TPayload>(client, retry, waiter, queueName);
}
