namespace ZinTrust.Workers.Abstractions;

/// <summary>Named priorities (higher runs first; FIFO within one priority). Any value 0..100 is accepted.</summary>
public static class JobPriority
{
    public const int Critical = 10;
    public const int High = 5;
    public const int Normal = 1;
    public const int Low = 0;

    public const int Min = 0;
    public const int Max = 100;

    /// <summary>Parses a priority name (critical, high, normal, low) or a number in range.</summary>
    public static bool TryParse(string? text, out int priority)
    {
        priority = Normal;
        switch (text?.Trim().ToUpperInvariant())
        {
            case "CRITICAL": priority = Critical; return true;
            case "HIGH": priority = High; return true;
            case "NORMAL": priority = Normal; return true;
            case "LOW": priority = Low; return true;
            default:
                return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out priority)
                    && priority is >= Min and <= Max;
        }
    }
}
