using System.Text.RegularExpressions;

namespace ZinTrust.Workers.Abstractions;

public static partial class WorkerValidation
{
    /// <summary>Characters a processor spec's path may have.</summary>
    public const int MaxProcessorSpecPathLength = 260;

    /// <summary>Characters a processor spec's address may have.</summary>
    public const int MaxProcessorSpecUrlLength = 2048;

    [GeneratedRegex("^[0-9a-fA-F]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.+`]{0,299}$", RegexOptions.CultureInvariant)]
    private static partial Regex TypeNamePattern();

    /// <summary>
    /// The first problem of a processor spec's form: exactly one of path and url, a path without control characters, an
    /// absolute https address without credentials, a SHA-256 of 64 hex digits and, when given, a .NET type name. Whether the
    /// silo will fetch it (root, allow-list, addresses) is the silo's check, when a replica loads it.
    /// </summary>
    public static ValidationError? CheckProcessorSpec(ProcessorSpec? spec)
    {
        const string Field = "processorSpec";
        if (spec is null)
        {
            return null;
        }

        if ((spec.Path is null) == (spec.Url is null))
        {
            return new(WorkersErrorCodes.InvalidProcessorSpec, Field, "A processor spec gives exactly one of path and url.");
        }

        if (spec.Path is { } path && (path.Length is 0 or > MaxProcessorSpecPathLength || path.Any(char.IsControl)))
        {
            return new(WorkersErrorCodes.InvalidProcessorSpec, Field + ".path", $"A processor spec's path is 1..{MaxProcessorSpecPathLength} printable characters.");
        }

        if (spec.Url is { } url && (url.Length > MaxProcessorSpecUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var address)
            || address.Scheme != Uri.UriSchemeHttps || address.UserInfo.Length > 0))
        {
            return new(WorkersErrorCodes.InvalidProcessorSpec, Field + ".url", $"A processor spec's url is an absolute https address without credentials (at most {MaxProcessorSpecUrlLength} characters).");
        }

        if (spec.Sha256 is null || !Sha256Pattern().IsMatch(spec.Sha256))
        {
            return new(WorkersErrorCodes.InvalidProcessorSpec, Field + ".sha256", "A processor spec needs sha256: the SHA-256 of the assembly's bytes as 64 hex digits.");
        }

        return spec.Type is { } type && !TypeNamePattern().IsMatch(type)
            ? new(WorkersErrorCodes.InvalidProcessorSpec, Field + ".type", "A processor spec's type is a full .NET type name (Namespace.ClassName).")
            : null;
    }

    private static void CheckProcessorChoice(List<ValidationError> errors, string? processor, ProcessorSpec? spec)
    {
        Add(errors, CheckProcessorSpec(spec));
        if (processor is not null && spec is not null)
        {
            errors.Add(new(WorkersErrorCodes.InvalidProcessorSpec, "processorSpec", "Give processor (a registered name) or processorSpec (an assembly), not both."));
        }
    }
}
