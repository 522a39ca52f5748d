namespace ZinTrust.Workers.Cli;

/// <summary>The CLI's exit codes.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The service or database refused or failed, or could not be reached.</summary>
    public const int Failure = 1;

    /// <summary>Bad usage: an unknown command, a missing argument, an invalid option, action or value; a deletion not confirmed (nothing done).</summary>
    public const int Usage = 2;
}
