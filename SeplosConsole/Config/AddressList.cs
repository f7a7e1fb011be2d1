using System.Globalization;
using SeplosConsole.Seplos;

namespace SeplosConsole.Config;

/// <summary>
/// Pack addresses as people write them: <c>0</c>, <c>0,1,2</c>, <c>0-3</c>, decimal as on the DIP
/// switch table and in --help. Anything else is refused rather than guessed: an empty entry
/// (<c>0,,1</c>) or hex (<c>0x1</c>) is more likely a typo than a wish (issue 10).
/// </summary>
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
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0)
            {
                error = $"'{InputEcho.Shorten(text.Trim())}' has an empty entry between commas (e.g. 0,1,2 or 0-3)";
                return false;
            }
            var dash = part.IndexOf('-', 1);
            var (first, last) = dash < 0 ? (part, part) : (part[..dash], part[(dash + 1)..]);
            if (!TryParseOne(first, out var from) || !TryParseOne(last, out var to) || from > to)
            {
                error = $"'{InputEcho.Shorten(part)}' is not a pack address or range (addresses are 0–{SeplosMap.MaxPackAddress}, e.g. 0, 0,1,2 or 0-3)";
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
        // NumberStyles.None with the invariant culture: ASCII digits only, no sign, no hex.
        address = 0;
        return text.Length is > 0 and <= 2 && text.All(char.IsAsciiDigit)
            && byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out address) && address <= SeplosMap.MaxPackAddress;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
