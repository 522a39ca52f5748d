using System.Net;

namespace ZinTrust.Workers.Cli;

/// <summary>The service answered with an error: its problem JSON's <c>message</c> and <c>code</c>, or the bare status.</summary>
internal sealed class ApiErrorException(HttpStatusCode? status, string message, string? code) : Exception(message)
{
    /// <summary>The status, or null when a success answer could not be read.</summary>
    public HttpStatusCode? Status { get; } = status;

    public string? Code { get; } = code;
}

/// <summary>No answer from the service: refused, unknown host, timed out. The message says which.</summary>
internal sealed class ServiceUnreachableException(string message, Exception inner) : Exception(message, inner);
