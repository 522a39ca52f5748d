using System.Globalization;
using Microsoft.Extensions.Options;

namespace ZinTrust.Workers.Grains;

/// <summary>Reports every invalid price setting, naming the environment variable that sets it.</summary>
public sealed class CostOptionsValidator : IValidateOptions<CostOptions>
{
    public const double MaxPrice = 1_000_000;

    public ValidateOptionsResult Validate(string? name, CostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Price(failures, options.CostPerCoreHour, "WORKER_COST_PER_CORE_HOUR");
        Price(failures, options.CostPerGbHour, "WORKER_COST_PER_GB_HOUR");
        Price(failures, options.StoragePerGbMonth, "WORKER_COST_STORAGE_PER_GB_MONTH");
        if (options.Currency is not { Length: 3 } currency || !currency.All(char.IsAsciiLetterUpper))
        {
            failures.Add($"WORKER_COST_CURRENCY must be a three-letter ISO 4217 code in capitals, such as USD (was '{Shorten(options.Currency)}').");
        }

        if (!(options.SpotDiscount >= 0 && options.SpotDiscount < 1))
        {
            failures.Add($"WORKER_SPOT_DISCOUNT must be at least 0 and below 1 (was {options.SpotDiscount.ToString(CultureInfo.InvariantCulture)}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Price(List<string> failures, double value, string variable)
    {
        if (!(value >= 0 && value <= MaxPrice))
        {
            failures.Add($"{variable} must be a number from 0 to {MaxPrice.ToString(CultureInfo.InvariantCulture)} (was {value.ToString(CultureInfo.InvariantCulture)}).");
        }
    }

    private static string Shorten(string? value) => value is null ? "" : value.Length <= 20 ? value : value[..20] + "…";
}
