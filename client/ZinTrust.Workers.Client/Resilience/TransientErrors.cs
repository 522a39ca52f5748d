using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Client;

/// <summary>Which failures of a grain call are worth trying again: the cluster or the queue may answer a moment later.</summary>
public static class TransientErrors
{
    /// <summary>
    /// True for a gateway or silo that is gone or busy (<see cref="SiloUnavailableException"/>,
    /// <see cref="ConnectionFailedException"/>, <see cref="GatewayTooBusyException"/>), a message the cluster
    /// refused to route (<see cref="OrleansMessageRejectionException"/>), a call that got no answer in time
    /// (<see cref="TimeoutException"/>: it may have been applied, hence the idempotency key), and a queue
    /// reloading after a failed store write (<see cref="WorkersErrorCodes.QueueUnavailable"/>). Validation errors,
    /// unknown workers or jobs, and the caller's own cancellation are never transient.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        WorkersException workers => workers.Code == WorkersErrorCodes.QueueUnavailable,
        SiloUnavailableException or ConnectionFailedException or GatewayTooBusyException or OrleansMessageRejectionException => true,
        TimeoutException => true,
        _ => false,
    };
}
