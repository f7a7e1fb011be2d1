using System.Globalization;
using SeplosConsole.Seplos;

namespace SeplosConsole.Config;

/// <summary>Pack addresses as people write them: <c>0</c>, <c>0,1,2</c>, <c>0-3</c>, <c>0x00-0x0F</c>.</summary>
public static class AddressList
{
    public static bool TryParse(string? text, out IReadOnlyList<byte> addresses, out string? error)
    {
        addresses = [];
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "no pack address given";
            return false;
        }
        var result = new SortedSet<byte>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', 1);
            var (first, last) = dash < 0 ? (part, part) : (part[..dash], part[(dash + 1)..]);
            if (!TryParseOne(first, out var from) || !TryParseOne(last, out var to) || from > to)
            {
                error = $"'{part}' is not a pack address or range (addresses are 0–{SeplosMap.MaxPackAddress}, e.g. 0, 0,1,2 or 0-3)";
                return false;
            }
            for (var address = from; address <= to; address++)
            {
                result.Add(address);
            }
        }
        addresses = [.. result];
        return result.Count > 0 || Fail("no pack address given", out error);
    }

    public static IReadOnlyList<byte> Parse(string text)
        => TryParse(text, out var addresses, out var error) ? addresses : throw new FormatException(error);

    public static string Format(IReadOnlyList<byte> addresses) => string.Join(",", addresses);

    private static bool TryParseOne(string text, out byte address)
    {
        text = text.Trim();
        var ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? byte.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out address)
            : byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out address);
        return ok && address <= SeplosMap.MaxPackAddress;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
