namespace ZinTrust.Workers.Abstractions;

/// <summary>Thrown by a processor when retrying cannot help: the job goes straight to the dead-letter set.</summary>
public sealed class UnrecoverableJobException : Exception
{
    public UnrecoverableJobException()
    {
    }

    public UnrecoverableJobException(string message)
        : base(message)
    {
    }

    public UnrecoverableJobException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
