using System.Globalization;
using System.Text;

namespace SeplosConsole.Rtu;

/// <summary>A token of hex input that is not a byte, with where it was found.</summary>
/// <param name="Line">1-based line (or argument) number.</param>
/// <param name="Column">1-based character position in that line.</param>
public sealed record HexTokenError(int Line, int Column, string Token, string Reason);

/// <summary>The bytes read from hex text, and the tokens that were not bytes.</summary>
public sealed record HexParseResult(byte[] Bytes, IReadOnlyList<HexTokenError> Errors)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Hex text as people paste it: "00 04 10", "0x00 0x04", "000410", "00,04,10", "00.04.10", "00:04:10", mixed.
/// Whitespace, commas, semicolons, colons and dots separate tokens; '#' starts a comment. Never throws.
/// Stateless and thread-safe.
/// </summary>
public static class HexBytes
{
    private static readonly char[] Separators = [' ', '\t', ',', ';', ':', '.', '\r', '\n'];

    /// <summary>"00 04 24 …", upper case, one space between bytes.</summary>
    public static string Format(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return "";
        }
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            text.Append(b.ToString("X2", CultureInfo.InvariantCulture)).Append(' ');
        }
        return text.ToString(0, text.Length - 1);
    }

    /// <summary>Parses one line (or one command-line argument).</summary>
    public static HexParseResult Parse(string? text, int lineNumber = 1)
    {
        var bytes = new List<byte>();
        var errors = new List<HexTokenError>();
        if (text is null)
        {
            return new HexParseResult([], errors);
        }
        var comment = text.IndexOf('#', StringComparison.Ordinal);
        var content = comment < 0 ? text : text[..comment];

        var position = 0;
        while (position < content.Length)
        {
            if (Array.IndexOf(Separators, content[position]) >= 0)
            {
                position++;
                continue;
            }
            var start = position;
            while (position < content.Length && Array.IndexOf(Separators, content[position]) < 0)
            {
                position++;
            }
            var token = content[start..position];
            if (!TryParseToken(token, bytes, out var reason))
            {
                errors.Add(new HexTokenError(lineNumber, start + 1, token, reason));
            }
        }
        return new HexParseResult([.. bytes], errors);
    }

    private static bool TryParseToken(string token, List<byte> into, out string reason)
    {
        var digits = token.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? token[2..] : token;
        reason = "";
        if (digits.Length == 0)
        {
            reason = "no hex digits";
            return false;
        }
        if (!digits.All(char.IsAsciiHexDigit))
        {
            reason = "not a hex number";
            return false;
        }
        // "4" or "0x4" is one byte; longer runs are read two digits per byte ("000410"), so an
        // odd length there is ambiguous ("04A": 0x04 0x0A or 0x00 0x4A?) and refused.
        if (digits.Length == 1)
        {
            into.Add(byte.Parse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            return true;
        }
        if (digits.Length % 2 != 0)
        {
            reason = "odd number of hex digits";
            return false;
        }
        for (var i = 0; i < digits.Length; i += 2)
        {
            into.Add(byte.Parse(digits.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }
        return true;
    }
}
