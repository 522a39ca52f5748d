using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>
/// Errors as the framework's ProblemDetails (RFC 9457, <c>application/problem+json</c>): <c>type, title, status, detail</c>
/// plus the seed's <c>error, message, code</c> and the request's <c>traceId</c> (added by the problem-details service). The
/// code is stable; the message is for people.
/// </summary>
public static class ApiErrors
{
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string RouteNotFound = "ROUTE_NOT_FOUND";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string InvalidQuery = WorkersErrorCodes.InvalidQuery;
    public const string JobAlreadyFinished = "JOB_ALREADY_FINISHED";
    public const string JobNotDeadLettered = "JOB_NOT_DEAD_LETTERED";
    public const string ClusterUnavailable = "CLUSTER_UNAVAILABLE";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Forbidden = "FORBIDDEN";
    public const string RateLimited = "RATE_LIMITED";

    public static ProblemHttpResult Problem(int status, string code, string message) => TypedResults.Problem(Details(status, code, message));

    /// <summary>The problem of an error: the seed's fields ride as extensions, so clients of either shape read it.</summary>
    public static ProblemDetails Details(int status, string code, string message) => new()
    {
        Type = $"urn:zintrust:workers:error:{code.ToLowerInvariant()}",
        Title = ReasonPhrases.GetReasonPhrase(status),
        Status = status,
        Detail = message,
        Extensions =
        {
            ["error"] = ReasonPhrases.GetReasonPhrase(status),
            ["message"] = message,
            ["code"] = code,
        },
    };

    /// <summary>Adds the request's trace id to every problem the service writes (W3C trace id when a trace runs).</summary>
    public static void AddTraceId(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
    }

    /// <summary>The HTTP status of a domain error code.</summary>
    public static int StatusOf(string code) => code switch
    {
        WorkersErrorCodes.WorkerNotFound or WorkersErrorCodes.JobNotFound or WorkersErrorCodes.PluginNotFound or WorkersErrorCodes.QueueNotFound
            or WorkersErrorCodes.VersionNotFound or WorkersErrorCodes.CanaryNotFound or WorkersErrorCodes.RegionNotFound or WorkersErrorCodes.ScheduleNotFound => StatusCodes.Status404NotFound,
        WorkersErrorCodes.QueueFull => StatusCodes.Status429TooManyRequests,
        WorkersErrorCodes.WorkerExists or WorkersErrorCodes.InvalidJobTransition or JobAlreadyFinished or JobNotDeadLettered or WorkersErrorCodes.IdempotencyKeyReused
            or WorkersErrorCodes.CircuitBreakerDisabled or WorkersErrorCodes.ResourceMonitoringDisabled or WorkersErrorCodes.VersionExists
            or WorkersErrorCodes.ProcessorNotOnEverySilo or WorkersErrorCodes.HealthCheckNotFound or WorkersErrorCodes.VersionRolloutFailed
            or WorkersErrorCodes.CanaryActive or WorkersErrorCodes.CanaryNotRunning or WorkersErrorCodes.ScheduleExists
            or WorkersErrorCodes.EncryptionDisabled or WorkersErrorCodes.RetentionDisabled or WorkersErrorCodes.FeatureDisabled
            or WorkersErrorCodes.PartitionsLocked => StatusCodes.Status409Conflict,
        WorkersErrorCodes.WorkerInactive => StatusCodes.Status410Gone,
        WorkersErrorCodes.ProcessorNotFound or WorkersErrorCodes.WorkerStartFailed or WorkersErrorCodes.ProcessorSpecRefused
            or WorkersErrorCodes.ProcessorSpecDigestMismatch or WorkersErrorCodes.ProcessorSpecUnavailable => StatusCodes.Status422UnprocessableEntity,
        WorkersErrorCodes.WorkersDisabled or WorkersErrorCodes.QueueUnavailable or WorkersErrorCodes.RegionUnavailable
            or WorkersErrorCodes.PartitionMismatch => StatusCodes.Status503ServiceUnavailable,
        WorkersErrorCodes.InternalError => StatusCodes.Status500InternalServerError,
        _ => StatusCodes.Status400BadRequest,
    };

    public static ApiException NotFound(string code, string message) => new(StatusCodes.Status404NotFound, code, message);

    public static ApiException BadRequest(string code, string message) => new(StatusCodes.Status400BadRequest, code, message);
}
