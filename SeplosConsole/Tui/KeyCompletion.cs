namespace SeplosConsole.Tui;

/// <summary>
/// Tab in the edit field: completes the parameter key being typed as far as it is unambiguous and
/// names every candidate when several remain, as a shell does, instead of silently taking the first.
/// </summary>
public static class KeyCompletion
{
    /// <summary>The field's new text and the keys that matched what was typed (none, one or several).</summary>
    public sealed record Result(string Text, IReadOnlyList<string> Candidates, string Typed)
    {
        public bool IsAmbiguous => Candidates.Count > 1;
    }

    /// <param name="text">The edit field's text; only its first word (the key) is completed, while no value follows it.</param>
    /// <param name="keys">The keys that can be written.</param>
    public static Result Complete(string text, IReadOnlyList<string> keys)
    {
        var typed = text.TrimStart();
        if (typed.Length == 0 || typed.Any(char.IsWhiteSpace))
        {
            return new Result(text, [], typed);
        }
        var candidates = keys.Where(k => k.StartsWith(typed, StringComparison.OrdinalIgnoreCase)).ToArray();
        return candidates.Length switch
        {
            0 => new Result(text, candidates, typed),
            // The space says the key is complete and the value comes next.
            1 => new Result(candidates[0] + " ", candidates, typed),
            _ => new Result(CommonPrefix(candidates) is { } common && common.Length > typed.Length ? common : text, candidates, typed),
        };
    }

    /// <summary>One line for the edit field's message line: what Tab found, cut to <paramref name="width"/>.</summary>
    public static string Describe(Result result, int width)
    {
        if (result.Typed.Length == 0)
        {
            return "";
        }
        if (result.Candidates.Count == 1)
        {
            return TextFit.Ellipsis($"{result.Candidates[0]}: type the value, then Enter", width);
        }
        if (result.Candidates.Count == 0)
        {
            return TextFit.Ellipsis($"no writable parameter starts with \"{result.Typed}\"", width);
        }
        var count = result.Candidates.Count;
        var line = $"{count} keys: ";
        for (var i = 0; i < count; i++)
        {
            var piece = (i == 0 ? "" : ", ") + result.Candidates[i];
            var left = count - i - 1;
            var tail = left > 0 ? $", … (+{left})" : "";
            if (line.Length + piece.Length + tail.Length > width)
            {
                return i == 0 ? TextFit.Ellipsis(line + piece, width - tail.Length) + tail : TextFit.Ellipsis($"{line}, … (+{count - i})", width);
            }
            line += piece;
        }
        return line;
    }

    private static string CommonPrefix(string[] words)
    {
        var prefix = words[0];
        foreach (var word in words.Skip(1))
        {
            var length = 0;
            while (length < prefix.Length && length < word.Length && char.ToLowerInvariant(prefix[length]) == char.ToLowerInvariant(word[length]))
            {
                length++;
            }
            prefix = prefix[..length];
        }
        return prefix;
    }
}
