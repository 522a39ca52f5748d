namespace ZinTrust.Workers.Client;

/// <summary>The default <see cref="IJobQueueFactory"/>.</summary>
internal sealed class JobQueueFactory(IClusterClient client, EnqueueRetry retry, JobResultWaiter waiter, ClientEnqueueBatchers batchers) : IJobQueueFactory
{
    public IJobQueue<TPayload> Get<TPayload>(string queueName) => new JobQueue<TPayload>(client, retry, waiter, batchers.Batchers, queueName);
}
