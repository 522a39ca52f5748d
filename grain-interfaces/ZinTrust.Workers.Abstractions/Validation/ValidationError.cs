namespace ZinTrust.Workers.Abstractions;

/// <summary>One validation failure: a stable code, the field it concerns and a readable message.</summary>
public sealed record ValidationError(string Code, string Field, string Message)
{
    public WorkersException ToException() => new(Code, Message);
}
