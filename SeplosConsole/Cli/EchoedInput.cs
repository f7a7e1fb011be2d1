using System.Globalization;
using System.Text;
using SeplosConsole.Seplos;

namespace SeplosConsole.Cli;

/// <summary>
/// Input quoted back in a message: cut as <see cref="InputEcho.Shorten"/> does (64 characters and
/// "…"), then control and other invisible characters escaped as \xNN or \uNNNN, so binary input
/// cannot drive the terminal (an ESC byte would).
/// </summary>
public static class EchoedInput
{
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var shown = InputEcho.Shorten(text);
        var escaped = new StringBuilder(shown.Length + 8);
        foreach (var c in shown)
        {
            var category = char.GetUnicodeCategory(c);
            if (char.IsControl(c) || category is UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                escaped.Append(c <= 0xFF ? $"\\x{(int)c:X2}" : $"\\u{(int)c:X4}");
            }
            else
            {
                escaped.Append(c);
            }
        }
        return escaped.ToString();
    }
}
