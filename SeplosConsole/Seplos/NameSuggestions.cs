namespace SeplosConsole.Seplos;

/// <summary>"Did you mean": the known names closest to a typo (edit distance; a name containing what was typed counts as closest).</summary>
public static class NameSuggestions
{
    public static IReadOnlyList<string> Closest(string typed, IEnumerable<string> known, int count)
    {
        var needle = SeplosMap.Normalise(typed).Replace('-', '_');
        // Far longer than any name: nothing is close, and the edit distance of a pasted 100 KB
        // value against every name would take seconds.
        if (needle.Length == 0 || needle.Length > InputEcho.MaxLength)
        {
            return [];
        }
        var limit = Math.Max(2, needle.Length / 3);
        return known
            .Select(name => (Name: name, Score: name.Contains(needle, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(needle, name.ToLowerInvariant())))
            .Where(c => c.Score <= limit)
            .OrderBy(c => c.Score)
            .ThenBy(c => c.Name.Length)
            .Select(c => c.Name)
            .Distinct()
            .Take(count)
            .ToList();
    }

    /// <summary>Levenshtein distance with two rows.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
