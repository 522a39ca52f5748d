using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>
/// Encryption at rest around any job store: every record written has its payload, result, error and log lines encrypted
/// (<see cref="PayloadCipher"/>, under the ring's active key), and every record read is decrypted, so the queue grains, the
/// processors and the API see plaintext and the store (Redis, its AOF and RDB files, its replicas and backups) holds none.
/// Values stored in plaintext before encryption was turned on still read; they are encrypted when their record is next
/// written, or by the re-encryption sweep.
/// </summary>
/// <remarks>
/// Not encrypted: ids, queue names, states, times, headers (trace context, the data subject's id), idempotency keys and their
/// fingerprints, and the queue's policy. A record that fails authentication stops the queue from loading (the log names the
/// job): the store's data is never silently replaced.
/// </remarks>
public sealed class EncryptingJobStore(IJobStore inner, PayloadCipher cipher) : IJobStore
{
    internal const string PayloadField = "payload";
    internal const string ResultField = "result";
    internal const string ErrorField = "error";
    internal const string LogField = "log";

    /// <summary>The store underneath.</summary>
    public IJobStore Inner => inner;

    public PayloadCipher Cipher => cipher;

    /// <summary>False: records are written as they are (reads still decrypt). Default: true.</summary>
    public bool EncryptsNewData { get; init; } = true;

    public async Task<QueueSnapshot> LoadAsync(string queue, long epochFloor, CancellationToken cancellationToken)
    {
        var snapshot = await inner.LoadAsync(queue, epochFloor, cancellationToken).ConfigureAwait(false);
        var jobs = new JobRecord[snapshot.Jobs.Count];
        int i = 0;
        foreach (var job in snapshot.Jobs)
        {
            jobs[i++] = Open(queue, job);
        }

        return snapshot with { Jobs = jobs };
    }

    public Task CommitAsync(string queue, long epoch, JobStoreBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Upserts.Count == 0 || !EncryptsNewData)
        {
            return inner.CommitAsync(queue, epoch, batch, cancellationToken);
        }

        var sealedRecords = new JobRecord[batch.Upserts.Count];
        int i = 0;
        foreach (var job in batch.Upserts)
        {
            sealedRecords[i++] = Seal(queue, job);
        }

        return inner.CommitAsync(queue, epoch, batch with { Upserts = sealedRecords }, cancellationToken);
    }

    public async Task<IReadOnlyList<JobRecord?>> LoadJobsAsync(string queue, IReadOnlyList<string> jobIds, CancellationToken cancellationToken)
    {
        var found = await inner.LoadJobsAsync(queue, jobIds, cancellationToken).ConfigureAwait(false);
        var opened = new JobRecord?[found.Count];
        for (int i = 0; i < opened.Length; i++)
        {
            opened[i] = found[i] is { } job ? Open(queue, job) : null;
        }

        return opened;
    }

    public Task<bool> ExistsAsync(string queue, CancellationToken cancellationToken) => inner.ExistsAsync(queue, cancellationToken);

    public Task<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken) => inner.ListQueuesAsync(cancellationToken);

    /// <summary>The record as stored: its sensitive fields encrypted under the active key.</summary>
    public JobRecord Seal(string queue, JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job with
        {
            Payload = cipher.Encrypt(queue, job.Id, PayloadField, job.Payload),
            Result = job.Result is { } result ? cipher.Encrypt(queue, job.Id, ResultField, result) : null,
            Error = job.Error is { } error ? cipher.Encrypt(queue, job.Id, ErrorField, error) : null,
            Logs = job.Logs is { Count: > 0 } logs ? [.. logs.Select(l => l with { Message = cipher.Encrypt(queue, job.Id, LogField, l.Message) })] : job.Logs,
        };
    }

    /// <summary>The record as read: its sensitive fields decrypted.</summary>
    public JobRecord Open(string queue, JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!PayloadCipher.IsEncrypted(job.Payload) && !PayloadCipher.IsEncrypted(job.Result) && !PayloadCipher.IsEncrypted(job.Error) && job.Logs is not { Count: > 0 })
        {
            return job;
        }

        return job with
        {
            Payload = cipher.Decrypt(queue, job.Id, PayloadField, job.Payload),
            Result = job.Result is { } result ? cipher.Decrypt(queue, job.Id, ResultField, result) : null,
            Error = job.Error is { } error ? cipher.Decrypt(queue, job.Id, ErrorField, error) : null,
            Logs = job.Logs is { Count: > 0 } logs ? [.. logs.Select(l => l with { Message = cipher.Decrypt(queue, job.Id, LogField, l.Message) })] : job.Logs,
        };
    }
}
