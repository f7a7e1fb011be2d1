using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Writes;

/// <summary>A parameter found for a typed name, or why there is none.</summary>
public readonly record struct Resolution(FieldDefinition? Field, string? Refusal);

/// <summary>Turns a typed key into a writable SPA parameter, or a refusal that says why and what exists.</summary>
public static class ParameterResolver
{
    // SPA's registers (reference, SPA table: 0x1300 + 0x00 … 0x69). Anything else, such as the
    // destructive system-control block at 0x1500, is never written whatever the map says.
    private const ushort SpaFirst = 0x1300, SpaLast = 0x1369;

    public static Resolution Resolve(string typed)
    {
        var field = SeplosMap.FindField(typed) ?? SeplosMap.FindField(typed.Replace('-', '_'));
        if (field is null)
        {
            var suggestions = Suggestions(typed);
            return new(null, $"unknown parameter '{typed.Trim()}'" +
                (suggestions.Count > 0 ? $"; did you mean {string.Join(", ", suggestions)}?" : "; no parameter has a similar name"));
        }
        if (field.Block != BlockId.Spa || field.Category != FieldCategory.Parameter)
        {
            return new(null, $"{field.Key} is a {field.Category.ToString().ToLowerInvariant()} value, not a parameter; only SPA parameters can be written");
        }
        if (field.Uncertain)
        {
            return new(null, $"{field.Key} is uncertain and never written: {field.Note ?? "the sources disagree about it"}");
        }
        if (!field.Writable)
        {
            return new(null, $"read-only: {field.Key}: {field.Note ?? "not writable"}");
        }
        if (field.Address is < SpaFirst or > SpaLast || field.Registers != 1 || field.Type is not (RegisterType.U16 or RegisterType.I16))
        {
            return new(null, $"{field.Key} is not a single SPA register (0x{field.Address:X4}); this tool does not write it");
        }
        return new(field, null);
    }

    /// <summary>Up to <paramref name="count"/> parameter names close to <paramref name="typed"/>, closest first.</summary>
    public static IReadOnlyList<string> Suggestions(string typed, int count = 3)
    {
        var wanted = SeplosMap.Normalise(typed).Replace('-', '_');
        if (wanted.Length == 0)
        {
            return [];
        }
        // A name containing what was typed ("low_voltage_alarm") is as good as a near miss.
        var limit = Math.Max(2, wanted.Length / 3);
        return SeplosMap.Parameters
            .SelectMany(f => f.Aliases.Prepend(f.Key).Select(name => (f.Key, Name: name)))
            .Select(c => (c.Key, Distance: c.Name.Contains(wanted, StringComparison.Ordinal) ? 1 : EditDistance(wanted, c.Name)))
            .Where(c => c.Distance <= limit)
            .GroupBy(c => c.Key)
            .Select(g => (Key: g.Key, Distance: g.Min(c => c.Distance)))
            .OrderBy(c => c.Distance).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Take(count)
            .Select(c => c.Key)
            .ToArray();
    }

    /// <summary>Levenshtein distance (insert, delete, replace one character).</summary>
    public static int EditDistance(string a, string b)
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
                var replace = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(replace, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
