using System.Collections.Frozen;
using System.Collections.Immutable;

namespace SeplosConsole.Seplos;

/// <summary>
/// Everything known about one pack at one moment: the latest reading of each block, decoded.
/// Immutable; the poller makes a new one for each change and hands it to the front ends.
/// </summary>
public sealed class PackSnapshot
{
    private readonly ImmutableDictionary<BlockId, BlockReading> _blocks;
    private readonly FrozenDictionary<string, FieldReading> _fields;
    private readonly FrozenDictionary<string, bool> _flags;

    private PackSnapshot(byte address, ImmutableDictionary<BlockId, BlockReading> blocks)
    {
        Address = address;
        _blocks = blocks;
        var fields = new Dictionary<string, FieldReading>();
        var flags = new Dictionary<string, bool>();
        foreach (var reading in blocks.Values)
        {
            if (reading.Definition.IsCoils)
            {
                foreach (var flag in SeplosMap.FlagsOf(reading.Block))
                {
                    flags[flag.Key] = SeplosCodec.DecodeFlag(flag, reading.Payload.Span);
                }
            }
            else
            {
                foreach (var field in SeplosCodec.DecodeFields(reading))
                {
                    fields[field.Field.Key] = field;
                }
            }
        }
        AddDerived(fields);
        _fields = fields.ToFrozenDictionary();
        _flags = flags.ToFrozenDictionary();
    }

    public static PackSnapshot Empty(byte address) => new(address, ImmutableDictionary<BlockId, BlockReading>.Empty);

    public byte Address { get; }

    /// <summary>When the newest block in it was read; null when nothing was read yet.</summary>
    public DateTimeOffset? UpdatedAt => _blocks.Count == 0 ? null : _blocks.Values.Max(b => b.ReadAt);

    public IReadOnlyDictionary<BlockId, BlockReading> Blocks => _blocks;
    public IReadOnlyDictionary<string, FieldReading> Fields => _fields;
    public IReadOnlyDictionary<string, bool> Flags => _flags;

    public bool Has(BlockId block) => _blocks.ContainsKey(block);

    public PackSnapshot With(BlockReading reading) => new(Address, _blocks.SetItem(reading.Block, reading));

    public PackSnapshot With(IEnumerable<BlockReading> readings) => new(Address, _blocks.SetItems(readings.Select(r => KeyValuePair.Create(r.Block, r))));

    public double? Value(string key) => _fields.TryGetValue(key, out var f) ? f.Value : null;

    public string? Text(string key) => _fields.TryGetValue(key, out var f) ? f.Text : null;

    public bool? Flag(string key) => _flags.TryGetValue(key, out var on) ? on : null;

    /// <summary>Active alarms, protections and faults, in map order.</summary>
    public IEnumerable<FlagDefinition> ActiveProblems => SeplosMap.Flags.Where(f => f.IsProblem && Flag(f.Key) == true);

    /// <summary>Series cells: SPA says how many when it was read; a V3 pack has up to 16.</summary>
    public int CellCount => Value("cell_count") is { } n && n is >= 1 and <= 16 ? (int)n : 16;

    private static void AddDerived(Dictionary<string, FieldReading> fields)
    {
        if (fields.TryGetValue("pack_voltage", out var volts) && fields.TryGetValue("current", out var amps)
            && SeplosMap.FindField("power") is { } power)
        {
            var watts = Math.Round(volts.Value!.Value * amps.Value!.Value, power.Decimals);
            fields["power"] = new FieldReading(power, 0, watts, null);
        }
        if (SeplosMap.FindField("cell_delta") is { } delta)
        {
            var cells = Enumerable.Range(1, 16)
                .Select(i => fields.TryGetValue($"cell_{i}", out var c) ? c.Value : null)
                .Where(v => v is > 0)
                .Select(v => v!.Value)
                .ToArray();
            if (cells.Length > 0)
            {
                fields["cell_delta"] = new FieldReading(delta, 0, Math.Round(cells.Max() - cells.Min(), delta.Decimals), null);
            }
        }
    }
}
