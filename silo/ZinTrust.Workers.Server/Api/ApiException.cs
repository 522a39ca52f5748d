namespace ZinTrust.Workers.Server;

/// <summary>An HTTP-level error (bad body, bad query) with its status and stable code.</summary>
public sealed class ApiException : Exception
{
    public ApiException()
        : this(StatusCodes.Status400BadRequest, "INVALID_REQUEST", "Invalid request.")
    {
    }

    public ApiException(string message)
        : this(StatusCodes.Status400BadRequest, "INVALID_REQUEST", message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = StatusCodes.Status400BadRequest;
        Code = "INVALID_REQUEST";
    }

    public ApiException(int status, string code, string message)
        : base(message)
    {
        Status = status;
        Code = code;
    }

    public int Status { get; }

    public string Code { get; }
}
