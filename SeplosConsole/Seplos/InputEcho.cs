namespace SeplosConsole.Seplos;

/// <summary>
/// What a person typed, as messages and the journal repeat it: shortened, so a pasted 100 KB value
/// is not echoed in full to the terminal nor stored in full in the journal (issue 10).
/// </summary>
public static class InputEcho
{
    /// <summary>Characters kept of a long input; the rest becomes "…".</summary>
    public const int MaxLength = 64;

    public static string Shorten(string text)
    {
        if (text.Length <= MaxLength)
        {
            return text;
        }
        // Do not cut a surrogate pair in half: the journal's encoder would refuse the lone half.
        var keep = char.IsHighSurrogate(text[MaxLength - 1]) ? MaxLength - 1 : MaxLength;
        return string.Concat(text.AsSpan(0, keep), "…");
    }
}
