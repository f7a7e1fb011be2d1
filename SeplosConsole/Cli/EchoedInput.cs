using System.Globalization;
using System.Text;

namespace SeplosConsole.Cli;

/// <summary>
/// Input quoted back in a message: control and other invisible characters escaped (binary input
/// must not drive the terminal: an ESC byte would), and long input cut to
/// <see cref="MaxChars"/> characters plus "…", so a 100 KB value does not flood the screen.
/// </summary>
public static class EchoedInput
{
    public const int MaxChars = 64;

    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cut = text.Length > MaxChars;
        var shown = cut ? text[..MaxChars] : text;
        var escaped = new StringBuilder(shown.Length + 8);
        foreach (var c in shown)
        {
            var category = char.GetUnicodeCategory(c);
            if (char.IsControl(c) || category is UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                escaped.Append(c <= 0xFF ? $"\\x{(int)c:X2}" : $"\\u{(int)c:X4}");
            }
            else
            {
                escaped.Append(c);
            }
        }
        return cut ? escaped.Append('…').ToString() : escaped.ToString();
    }
}
