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
        var field = SeplosMap.FindField(typed);
        if (field is null)
        {
            var suggestions = Suggestions(typed);
            return new(null, $"unknown parameter '{InputEcho.Shorten(typed.Trim())}'" +
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
        var names = SeplosMap.Parameters.SelectMany(f => f.Aliases.Prepend(f.Key));
        // An alias that matches stands for its parameter's key.
        return NameSuggestions.Closest(typed, names, count * 2)
            .Select(name => SeplosMap.FindField(name)!.Key)
            .Distinct()
            .Take(count)
            .ToArray();
    }
}
