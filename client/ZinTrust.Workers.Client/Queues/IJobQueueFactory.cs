namespace ZinTrust.Workers.Client;

/// <summary>Hands out typed queues.</summary>
public interface IJobQueueFactory
{
    IJobQueue<TPayload> Get<TPayload>(string queueName);
}
