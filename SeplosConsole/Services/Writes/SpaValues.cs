using System.Collections.Immutable;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Writes;

/// <summary>
/// The raw SPA registers of one pack (key → raw), as read or with planned changes applied.
/// Relations and restore planning work on this so a candidate value can be tried without
/// touching the pack.
/// </summary>
public sealed class SpaValues
{
    private readonly ImmutableDictionary<string, long> _raw;

    private SpaValues(ImmutableDictionary<string, long> raw) => _raw = raw;

    /// <summary>Decodes a fresh SPA read.</summary>
    public static SpaValues From(BlockReading spa)
    {
        if (spa.Block != BlockId.Spa)
        {
            throw new ArgumentException($"expected an SPA reading, got {spa.Block}", nameof(spa));
        }
        return new(SeplosCodec.DecodeFields(spa).ToImmutableDictionary(f => f.Field.Key, f => f.Raw, StringComparer.Ordinal));
    }

    /// <summary>Builds values from engineering values (tests, backup files); keys must be SPA fields.</summary>
    public static SpaValues FromValues(IEnumerable<KeyValuePair<string, double>> values)
    {
        var raw = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            var field = SpaField(key);
            raw[field.Key] = field.ToRaw(value) ?? throw new ArgumentOutOfRangeException(nameof(values), $"{value} does not fit {key}");
        }
        return new(raw.ToImmutable());
    }

    public bool Has(string key) => _raw.ContainsKey(key);

    public long Raw(string key) => _raw.TryGetValue(key, out var raw) ? raw : throw new KeyNotFoundException($"{key} was not read");

    public double Value(string key) => SpaField(key).ToValue(Raw(key));

    /// <summary>Value with unit, at the register's resolution, e.g. "46.40 V".</summary>
    public string Display(string key) => Describe(SpaField(key), Raw(key));

    /// <summary>Series cells (SPA 0x01), or null when the pack reports a count a V3 pack cannot have (1–16).</summary>
    public int? CellCount => _raw.TryGetValue("cell_count", out var n) && n is >= 1 and <= 16 ? (int)n : null;

    public SpaValues With(FieldDefinition field, long raw) => new(_raw.SetItem(field.Key, raw));

    public static string Describe(FieldDefinition field, long raw)
    {
        var text = field.Format(field.ToValue(raw));
        return field.Unit.Length == 0 ? text : $"{text} {field.Unit}";
    }

    private static FieldDefinition SpaField(string key)
        => SeplosMap.FindField(key) is { Block: BlockId.Spa } field ? field : throw new KeyNotFoundException($"{key} is not an SPA field");
}
