using Microsoft.AspNetCore.WebUtilities;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>
/// Errors as ProblemDetails-style JSON that keeps the seed's shape: <c>{error, message, code}</c> plus
/// <c>type, title, status, detail</c>. The code is stable; the message is for people.
/// </summary>
public static class ApiErrors
{
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string RouteNotFound = "ROUTE_NOT_FOUND";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string InvalidQuery = "INVALID_QUERY";
    public const string JobAlreadyFinished = "JOB_ALREADY_FINISHED";
    public const string JobNotDeadLettered = "JOB_NOT_DEAD_LETTERED";
    public const string ClusterUnavailable = "CLUSTER_UNAVAILABLE";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Forbidden = "FORBIDDEN";
    public const string RateLimited = "RATE_LIMITED";

    public static IResult Problem(int status, string code, string message) => Results.Json(
        new ErrorBody(
            Type: $"urn:zintrust:workers:error:{code.ToLowerInvariant()}",
            Title: ReasonPhrases.GetReasonPhrase(status),
            Status: status,
            Detail: message,
            Error: ReasonPhrases.GetReasonPhrase(status),
            Message: message,
            Code: code),
        ApiJson.Options,
        contentType: "application/problem+json",
        statusCode: status);

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
            or WorkersErrorCodes.EncryptionDisabled or WorkersErrorCodes.RetentionDisabled or WorkersErrorCodes.FeatureDisabled => StatusCodes.Status409Conflict,
        WorkersErrorCodes.WorkerInactive => StatusCodes.Status410Gone,
        WorkersErrorCodes.ProcessorNotFound or WorkersErrorCodes.WorkerStartFailed or WorkersErrorCodes.ProcessorSpecRefused
            or WorkersErrorCodes.ProcessorSpecDigestMismatch or WorkersErrorCodes.ProcessorSpecUnavailable => StatusCodes.Status422UnprocessableEntity,
        WorkersErrorCodes.WorkersDisabled or WorkersErrorCodes.QueueUnavailable or WorkersErrorCodes.RegionUnavailable => StatusCodes.Status503ServiceUnavailable,
        WorkersErrorCodes.InternalError => StatusCodes.Status500InternalServerError,
        _ => StatusCodes.Status400BadRequest,
    };

    public static ApiException NotFound(string code, string message) => new(StatusCodes.Status404NotFound, code, message);

    public static ApiException BadRequest(string code, string message) => new(StatusCodes.Status400BadRequest, code, message);

    public sealed record ErrorBody(string Type, string Title, int Status, string Detail, string Error, string Message, string Code);
}
