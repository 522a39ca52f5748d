using System.Globalization;

namespace ZinTrust.Workers.Cli;

/// <summary>How numbers read in the CLI's output (invariant culture, as the seed shows them).</summary>
internal static class Formats
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>1234 → "1,234".</summary>
    public static string Count(long value) => value.ToString("N0", Invariant);

    /// <summary>A percentage already on the 0..100 scale: 99 → "99.0%".</summary>
    public static string Percent(double value) => value.ToString("0.0", Invariant) + "%";

    /// <summary>Under a second in whole milliseconds ("350ms"), otherwise seconds with one decimal ("1.2s").</summary>
    public static string Duration(double milliseconds) => milliseconds < 1000
        ? Math.Round(milliseconds, MidpointRounding.AwayFromZero).ToString("0", Invariant) + "ms"
        : (milliseconds / 1000).ToString("0.0", Invariant) + "s";

    /// <summary>Bytes in binary units with one decimal: "2.3 GB", "512.0 MB".</summary>
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        int unit = 0;
        while (Math.Abs(bytes) >= 1024 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes.ToString("0", Invariant)} B" : $"{bytes.ToString("0.0", Invariant)} {units[unit]}";
    }

    /// <summary>"$12.45" for USD (or no currency), otherwise "12.45 EUR".</summary>
    public static string Money(double amount, string? currency) =>
        currency is null || currency.Equals("USD", StringComparison.OrdinalIgnoreCase)
            ? "$" + amount.ToString("0.00", Invariant)
            : $"{amount.ToString("0.00", Invariant)} {currency}";

    /// <summary>A number as typed: no trailing zeros ("45", "45.5").</summary>
    public static string Number(double value) => value.ToString("0.##", Invariant);
}
