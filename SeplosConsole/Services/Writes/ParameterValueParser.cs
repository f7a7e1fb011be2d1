using System.Globalization;
using System.Text.RegularExpressions;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Writes;

/// <summary>A typed number for a parameter, or why it is not one.</summary>
public readonly record struct ParsedValue(double? Value, string? Refusal);

/// <summary>Reads "45", "45V", "3.45 V", "-200 A", "50 °C" or "50C" for a parameter (invariant culture).</summary>
public static partial class ParameterValueParser
{
    // [0-9], not \d: \d also matches Arabic-Indic (٣) and full-width (３) digits, which
    // double.Parse then rejects. Such input is refused with a hint, on purpose: a protection
    // threshold is typed with the digits the documentation and the pack's own display use.
    [GeneratedRegex(@"^\s*(?<number>[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?)\s*(?<unit>.*?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberThenUnit();

    public static ParsedValue Parse(FieldDefinition field, string typed)
    {
        var match = NumberThenUnit().Match(typed);
        var example = field.Min is { } min ? $"{field.Format(min)}{Suffix(field)}" : "12.5";
        // "3,45" or "3.4.5" leave digits or separators where the unit would be: not a number.
        if (!match.Success || match.Groups["unit"].Value.Any(c => char.IsDigit(c) || c is ',' or '.'))
        {
            var hint = typed.Any(c => char.IsDigit(c) && c is not (>= '0' and <= '9')) ? " (type the digits 0-9)"
                : typed.Contains(',', StringComparison.Ordinal) ? " (use '.' as the decimal point)" : "";
            return new(null, $"'{InputEcho.Shorten(typed.Trim())}' is not a number{hint}; {field.Key} takes a number such as {example}");
        }
        var unit = match.Groups["unit"].Value;
        if (unit.Length > 0 && !SameUnit(unit, field.Unit))
        {
            var expected = field.Unit.Length == 0 ? "no unit" : $"'{field.Unit}' or no unit";
            return new(null, $"wrong unit '{InputEcho.Shorten(unit)}' for {field.Key}; it takes {expected}, e.g. {example}");
        }
        var value = double.Parse(match.Groups["number"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(value) ? new(value, null) : new(null, $"'{InputEcho.Shorten(typed.Trim())}' is not a finite number");
    }

    private static string Suffix(FieldDefinition field) => field.Unit.Length == 0 ? "" : $" {field.Unit}";

    /// <summary>Units compare ignoring case and the degree sign, so "C", "°c" and "°C" all mean °C.</summary>
    private static bool SameUnit(string typed, string unit) =>
        unit.Length > 0 && string.Equals(Plain(typed), Plain(unit), StringComparison.OrdinalIgnoreCase);

    private static string Plain(string unit) => unit.Replace("°", "", StringComparison.Ordinal).Replace('µ', 'u').Replace(" ", "", StringComparison.Ordinal);
}
