using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>Single enqueues of many callers in one call (<see cref="IQueueGrain.EnqueueEach"/>), each judged on its own.</summary>
internal sealed partial class QueueGrain
{
    private const int MaxEnqueueEach = 10_000;

    public Task<IReadOnlyList<EnqueueOutcome>> EnqueueEach(IReadOnlyList<EnqueueRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count is 0 or > MaxEnqueueEach)
        {
            throw new WorkersException(WorkersErrorCodes.InvalidBatch, $"EnqueueEach takes 1 to {MaxEnqueueEach} jobs.");
        }

        if (!requests.Any(Untraced))
        {
            return EnqueueEachCore(requests);
        }

        // Jobs sent from within the silo without a trace get one producer span; those that carry their caller's keep it.
        return WorkersActivity.SendAsync(queue, requests.Count, silo, span => EnqueueEachCore([.. requests.Select(r => Untraced(r) ? r.WithContext(span) : r)]));
    }

    private async Task<IReadOnlyList<EnqueueOutcome>> EnqueueEachCore(IReadOnlyList<EnqueueRequest> requests)
    {
        ThrowIfPoisoned();
        ThrowIfInvalidQueue();
        var outcomes = new EnqueueOutcome[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            try
            {
                outcomes[i] = EnqueueOutcome.Accepted(Stage(requests[i]));
            }
            catch (WorkersException refused)
            {
                // Nothing of a refused job was staged: each check runs before its job is admitted.
                outcomes[i] = EnqueueOutcome.Refused(refused);
            }
        }

        // One wait for the group commit that holds them all (more than one write when they exceed a write's size).
        await writer.Commit();
        return outcomes;
    }

    /// <summary>
    /// Checks one job (its fields, its partition, the queue's room, its idempotency key) and stages it for the next write, in this turn.
    /// Throws the refusal before staging anything. A key seen earlier, in the store or in this turn, answers its job.
    /// </summary>
    private EnqueueResult Stage(EnqueueRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        WorkerValidation.ThrowIfInvalid(WorkerValidation.Validate(request));
        ThrowIfMisplaced(request);
        long fingerprint = 0;
        if (request.IdempotencyKey is null)
        {
            ThrowIfFull(1);
        }
        else
        {
            var (fingerprints, newJobs) = keys.Check([request], time.GetUtcNow(), IsKept);
            ThrowIfFull(newJobs);
            fingerprint = fingerprints[0];
        }

        writer.MakeRoom(1, QueueWriter.SizeOfNew(request));
        return Admit(request, fingerprint);
    }
}
