namespace SeplosConsole.Tui;

/// <summary>One rule for text cut to a width, wherever a pane or message line cuts: the end becomes "…". Pure, thread-safe.</summary>
internal static class TextFit
{
    /// <summary><paramref name="text"/> itself when it fits, else its beginning and "…", <paramref name="width"/> characters in all.</summary>
    public static string Ellipsis(string text, int width) => text.Length <= width ? text : text[..Math.Max(0, width - 1)] + "…";
}
