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
    // Built once here and never changed after: read-only views for any number of readers.
    private readonly Dictionary<string, FieldReading> _fields;
    private readonly Dictionary<string, bool> _flags;

    private PackSnapshot(byte address, ImmutableDictionary<BlockId, BlockReading> blocks,
        Dictionary<string, FieldReading> fields, Dictionary<string, bool> flags)
    {
        Address = address;
        _blocks = blocks;
        _fields = fields;
        _flags = flags;
    }

    public static PackSnapshot Empty(byte address)
        => new(address, ImmutableDictionary<BlockId, BlockReading>.Empty, [], []);

    public byte Address { get; }

    /// <summary>When the newest block in it was read; null when nothing was read yet.</summary>
    public DateTimeOffset? UpdatedAt => _blocks.Count == 0 ? null : _blocks.Values.Max(b => b.ReadAt);

    public IReadOnlyDictionary<BlockId, BlockReading> Blocks => _blocks;
    public IReadOnlyDictionary<string, FieldReading> Fields => _fields;
    public IReadOnlyDictionary<string, bool> Flags => _flags;

    public bool Has(BlockId block) => _blocks.ContainsKey(block);

    public PackSnapshot With(BlockReading reading) => With([reading]);

    /// <summary>
    /// A snapshot with these blocks read anew. Only the new blocks are decoded: a block always
    /// decodes to the same keys (the map's), so its new values replace its old ones and the other
    /// blocks' values are carried over. (Decoding every block again on each of the 3–7 merges a
    /// poll was most of the dashboard's allocations — issue 4.)
    /// </summary>
    public PackSnapshot With(IEnumerable<BlockReading> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var blocks = _blocks;
        var fields = new Dictionary<string, FieldReading>(_fields);
        var flags = new Dictionary<string, bool>(_flags);
        var derivedInputsRead = false;
        foreach (var reading in readings)
        {
            if (reading.Block == BlockId.Hia)
            {
                // A history record is the past, not the pack's state, and its keys are the live ones (cell_1 …).
                continue;
            }
            blocks = blocks.SetItem(reading.Block, reading);
            derivedInputsRead |= DerivedInputBlocks.Contains(reading.Block);
            if (reading.Definition.IsCoils)
            {
                foreach (var flag in SeplosMap.FlagsOf(reading.Block))
                {
                    flags[flag.Key] = SeplosCodec.DecodeFlag(flag, reading.Payload.Span);
                }
                continue;
            }
            foreach (var field in SeplosCodec.DecodeFields(reading))
            {
                fields[field.Field.Key] = field;
            }
        }
        // Otherwise the derived values carried over were computed from the very inputs carried over.
        if (derivedInputsRead)
        {
            AddDerived(fields);
        }
        return new PackSnapshot(Address, blocks, fields, flags);
    }

    public double? Value(string key) => _fields.TryGetValue(key, out var f) ? f.Value : null;

    public string? Text(string key) => _fields.TryGetValue(key, out var f) ? f.Text : null;

    public bool? Flag(string key) => _flags.TryGetValue(key, out var on) ? on : null;

    /// <summary>Active alarms, protections and faults, in map order.</summary>
    public IEnumerable<FlagDefinition> ActiveProblems => SeplosMap.Flags.Where(f => f.IsProblem && Flag(f.Key) == true);

    /// <summary>Series cells: SPA says how many when it was read; a V3 pack has up to 16.</summary>
    public int CellCount => Value("cell_count") is { } n && n is >= 1 and <= 16 ? (int)n : 16;

    // Derived fields are computed from fields of their own block (power from PIA, cell_delta from
    // PIB); the map marks them, so a new derived field is removed and recomputed like these two.
    private static readonly FrozenSet<BlockId> DerivedInputBlocks = SeplosMap.DerivedFields.Select(f => f.Block).ToFrozenSet();
    private static readonly FieldDefinition Power = Derived("power");
    private static readonly FieldDefinition CellDelta = Derived("cell_delta");
    // Built once: the keys were formatted anew for every merge.
    private static readonly string[] CellKeys = [.. Enumerable.Range(1, 16).Select(i => $"cell_{i}")];

    private static FieldDefinition Derived(string key)
        => SeplosMap.DerivedFields.FirstOrDefault(f => f.Key == key)
            ?? throw new InvalidOperationException($"the map has no derived field {key}");

    /// <summary>Values computed from others; none is left over from an earlier snapshot whose inputs have changed.</summary>
    private static void AddDerived(Dictionary<string, FieldReading> fields)
    {
        foreach (var derived in SeplosMap.DerivedFields)
        {
            fields.Remove(derived.Key);
        }
        if (fields.TryGetValue("pack_voltage", out var volts) && fields.TryGetValue("current", out var amps))
        {
            var watts = Math.Round(volts.Value!.Value * amps.Value!.Value, Power.Decimals);
            fields[Power.Key] = new FieldReading(Power, 0, watts, null);
        }
        // Spread of the cells that read above 0 V (an absent cell reads 0).
        var highest = double.MinValue;
        var lowest = double.MaxValue;
        foreach (var key in CellKeys)
        {
            if (fields.TryGetValue(key, out var cell) && cell.Value is { } cellVolts && cellVolts > 0)
            {
                highest = Math.Max(highest, cellVolts);
                lowest = Math.Min(lowest, cellVolts);
            }
        }
        if (highest >= lowest)
        {
            fields[CellDelta.Key] = new FieldReading(CellDelta, 0, Math.Round(highest - lowest, CellDelta.Decimals), null);
        }
    }
}
