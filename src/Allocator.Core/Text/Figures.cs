using System.Globalization;
using System.Text;

namespace Allocator.Core.Text;

/// <summary>
/// How every figure is written for people, in tables, summaries and logs: one definition, so a number reads the same
/// wherever it appears. Money is whole US dollars with thousands separators; a value that rounds to zero is "0", never
/// "-0". Costs and penalties are written as the positive amount paid, under a label that says so (the objective subtracts
/// them); CSV and JSON carry the same positive amounts. Shares are percentages with one to four decimals. Enum values
/// are written as words ("time limit"), never as C# names.
/// </summary>
public static class Figures
{
    /// <summary>A whole number with thousands separators: "1,234,567" (and "0", never "-0").</summary>
    public static string Whole(double value)
    {
        var rounded = Math.Round(value);
        return (rounded == 0 ? 0 : rounded).ToString("N0", CultureInfo.InvariantCulture);
    }

    /// <summary>A difference: "+1,234", "-1,234", "0" (the sign shown either way, never "+0" or "-0").</summary>
    public static string Signed(double value) => (Math.Round(value) > 0 ? "+" : string.Empty) + Whole(value);

    /// <summary>Money: "1,234,567 USD".</summary>
    public static string Usd(double value) => Whole(value) + " USD";

    /// <summary>A share as a percentage: "12.5%", "0.771%", "0.0%" (one to four decimals, never "-0.0%").</summary>
    public static string Percent(double share)
    {
        var text = share.ToString("0.0###%", CultureInfo.InvariantCulture);
        return text.StartsWith('-') && text.Trim('-', '0', '.', '%').Length == 0 ? text[1..] : text;
    }

    /// <summary>Seconds with one decimal: "12.3 s".</summary>
    public static string Seconds(double seconds) => seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    /// <summary>An enum value as words: <c>TimeLimit</c> is "time limit", <c>CpSat</c> "cp sat".</summary>
    public static string Words(Enum value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var name = value.ToString();
        var words = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1]))
            {
                words.Append(' ');
            }

            words.Append(char.ToLowerInvariant(name[i]));
        }

        return words.ToString();
    }
}
