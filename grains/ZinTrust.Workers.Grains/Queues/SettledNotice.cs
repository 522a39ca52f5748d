using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Grains;

/// <summary>A settled job and the watchers to tell once its write is durable.</summary>
internal sealed record SettledNotice(JobRecord Job, IJobCompletionObserver[] Observers);
