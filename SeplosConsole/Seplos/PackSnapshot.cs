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
    private readonly ImmutableDictionary<BlockId, MissingReading> _missing;
    // Built once here and never changed after: read-only views for any number of readers.
    private readonly Dictionary<string, FieldReading> _fields;
    private readonly Dictionary<string, bool> _flags;

    private PackSnapshot(byte address, ImmutableDictionary<BlockId, BlockReading> blocks, ImmutableDictionary<BlockId, MissingReading> missing,
        Dictionary<string, FieldReading> fields, Dictionary<string, bool> flags)
    {
        Address = address;
        _blocks = blocks;
        _missing = missing;
        _fields = fields;
        _flags = flags;
    }

    public static PackSnapshot Empty(byte address)
        => new(address, ImmutableDictionary<BlockId, BlockReading>.Empty, ImmutableDictionary<BlockId, MissingReading>.Empty, [], []);

    public byte Address { get; }

    /// <summary>When the newest block in it was read; null when nothing was read yet.</summary>
    public DateTimeOffset? UpdatedAt => _blocks.Count == 0 ? null : _blocks.Values.Max(b => b.ReadAt);

    public IReadOnlyDictionary<BlockId, BlockReading> Blocks => _blocks;
    public IReadOnlyDictionary<string, FieldReading> Fields => _fields;
    public IReadOnlyDictionary<string, bool> Flags => _flags;

    public bool Has(BlockId block) => _blocks.ContainsKey(block);

    /// <summary>
    /// What was asked for and not read, in map order: a block the pack refused or did not answer,
    /// or the part of a block past a shorter answer. Empty for a complete reading.
    /// </summary>
    public IReadOnlyList<MissingReading> Missing => [.. SeplosMap.Blocks.Where(b => _missing.ContainsKey(b.Id)).Select(b => _missing[b.Id])];

    public bool IsPartial => !_missing.IsEmpty;

    /// <summary>Optional sensors (cells, temperature sensors) the pack says are not fitted: absent, not 0.</summary>
    public IEnumerable<FieldDefinition> NotFitted => SeplosMap.OptionalSensors.Where(f => !IsFitted(f.FittedWhen, _fields));

    /// <summary>The bits about those sensors (alarms, balancing): absent, not "off".</summary>
    public IEnumerable<FlagDefinition> NotFittedFlags => SeplosMap.OptionalSensorFlags.Where(f => !IsFitted(f.FittedWhen, _fields));

    /// <summary>
    /// This snapshot with <paramref name="block"/> marked as not read for <paramref name="reason"/>:
    /// its earlier values are dropped, so nothing stale or zero stands in for them.
    /// </summary>
    public PackSnapshot WithMissing(BlockId block, string reason)
    {
        var fields = new Dictionary<string, FieldReading>(_fields);
        var flags = new Dictionary<string, bool>(_flags);
        RemoveBlockValues(block, fields, flags);
        if (DerivedInputBlocks.Contains(block))
        {
            AddDerived(fields);
        }
        var keys = SeplosMap.FieldsOf(block).Select(f => f.Key).Concat(SeplosMap.FlagsOf(block).Select(f => f.Key)).ToList();
        return new PackSnapshot(Address, _blocks.Remove(block), _missing.SetItem(block, new MissingReading(block, reason, keys, WholeBlock: true)), fields, flags);
    }

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
        var missing = _missing;
        var fields = new Dictionary<string, FieldReading>(_fields);
        var flags = new Dictionary<string, bool>(_flags);
        var derivedInputsRead = false;
        var presenceChanged = false;
        var fieldPresenceChanged = false;
        foreach (var reading in readings)
        {
            if (reading.Block == BlockId.Hia)
            {
                // A history record is the past, not the pack's state, and its keys are the live ones (cell_1 …).
                continue;
            }
            blocks = blocks.SetItem(reading.Block, reading);
            missing = missing.Remove(reading.Block);
            derivedInputsRead |= DerivedInputBlocks.Contains(reading.Block);
            presenceChanged |= PresenceBlocks.Contains(reading.Block);
            fieldPresenceChanged |= FieldPresenceBlocks.Contains(reading.Block);
            var definition = reading.Definition;
            if (reading.Payload.Length < definition.PayloadLength)
            {
                // A shorter answer than the block (PIA with 0x11 registers): what it lacks is
                // named as missing, and values of an earlier, longer answer are not carried over.
                RemoveBlockValues(reading.Block, fields, flags);
                missing = missing.SetItem(reading.Block, Shortened(reading));
            }
            if (definition.IsCoils)
            {
                foreach (var flag in SeplosMap.FlagsOf(reading.Block))
                {
                    if (flag.ByteIndex < reading.Payload.Length)
                    {
                        flags[flag.Key] = SeplosCodec.DecodeFlag(flag, reading.Payload.Span);
                    }
                }
                continue;
            }
            foreach (var field in SeplosCodec.DecodeFields(reading))
            {
                fields[field.Field.Key] = field;
            }
        }
        if (presenceChanged)
        {
            ApplyPresence(fields, flags, blocks);
        }
        // Otherwise the derived values carried over were computed from the very inputs carried over.
        if (derivedInputsRead || fieldPresenceChanged)
        {
            AddDerived(fields);
        }
        return new PackSnapshot(Address, blocks, missing, fields, flags);
    }

    private static MissingReading Shortened(BlockReading reading)
    {
        var definition = reading.Definition;
        var units = definition.IsCoils ? reading.Payload.Length * 8 : reading.Payload.Length / 2;
        var keys = definition.IsCoils
            ? SeplosMap.FlagsOf(reading.Block).Where(f => f.ByteIndex >= reading.Payload.Length).Select(f => f.Key).ToList()
            : SeplosMap.FieldsOf(reading.Block).Where(f => !SeplosCodec.IsInPayload(f, reading.Payload.Length)).Select(f => f.Key).ToList();
        var what = definition.IsCoils ? "coils" : "registers";
        return new MissingReading(reading.Block, $"the pack answers {definition.Name} with 0x{units:X2} {what}, not 0x{definition.Count:X2}", keys, WholeBlock: false);
    }

    private static void RemoveBlockValues(BlockId block, Dictionary<string, FieldReading> fields, Dictionary<string, bool> flags)
    {
        foreach (var field in SeplosMap.FieldsOf(block))
        {
            fields.Remove(field.Key);
        }
        foreach (var flag in SeplosMap.FlagsOf(block))
        {
            flags.Remove(flag.Key);
        }
    }

    // The blocks that hold optional sensors' values or the counts saying which are fitted (these change
    // the derived values: cell_delta spans the fitted cells only), and those that hold their bits (PIC).
    private static readonly FrozenSet<BlockId> FieldPresenceBlocks = PresenceBlocksOf(SeplosMap.OptionalSensors.Select(f => (f.Block, f.FittedWhen!)));
    private static readonly FrozenSet<BlockId> PresenceBlocks = PresenceBlocksOf(SeplosMap.OptionalSensorFlags.Select(f => (f.Block, f.FittedWhen!)))
        .Union(FieldPresenceBlocks).ToFrozenSet();

    private static FrozenSet<BlockId> PresenceBlocksOf(IEnumerable<(BlockId Block, SensorPresence Presence)> sensors)
        => sensors.SelectMany(s => new[] { s.Block, SeplosMap.FindField(s.Presence.CountKey)!.Block }).ToFrozenSet();

    private static bool IsFitted(SensorPresence? fittedWhen, Dictionary<string, FieldReading> fields)
        => fittedWhen is not { } presence || presence.IsFitted(fields.TryGetValue(presence.CountKey, out var count) ? count.Value : null);

    /// <summary>
    /// Leaves out the optional sensors the counts say are not fitted, and brings back (from the
    /// block's payload) those a changed count says are fitted again.
    /// </summary>
    private static void ApplyPresence(Dictionary<string, FieldReading> fields, Dictionary<string, bool> flags, ImmutableDictionary<BlockId, BlockReading> blocks)
    {
        foreach (var flag in SeplosMap.OptionalSensorFlags)
        {
            if (!IsFitted(flag.FittedWhen, fields))
            {
                flags.Remove(flag.Key);
            }
            else if (!flags.ContainsKey(flag.Key) && blocks.TryGetValue(flag.Block, out var reading) && flag.ByteIndex < reading.Payload.Length)
            {
                flags[flag.Key] = SeplosCodec.DecodeFlag(flag, reading.Payload.Span);
            }
        }
        foreach (var field in SeplosMap.OptionalSensors)
        {
            if (!IsFitted(field.FittedWhen, fields))
            {
                fields.Remove(field.Key);
            }
            else if (!fields.ContainsKey(field.Key) && blocks.TryGetValue(field.Block, out var reading) && SeplosCodec.IsInPayload(field, reading.Payload.Length))
            {
                fields[field.Key] = SeplosCodec.DecodeField(field, reading.Payload.Span);
            }
        }
    }

    public double? Value(string key) => _fields.TryGetValue(key, out var f) ? f.Value : null;

    public string? Text(string key) => _fields.TryGetValue(key, out var f) ? f.Text : null;

    public bool? Flag(string key) => _flags.TryGetValue(key, out var on) ? on : null;

    /// <summary>Active alarms, protections and faults, in map order.</summary>
    public IEnumerable<FlagDefinition> ActiveProblems => SeplosMap.Flags.Where(f => f.IsProblem && Flag(f.Key) == true);

    /// <summary>Set bits of the coil blocks read that the map does not name (diagnostics, never alarms).</summary>
    public IReadOnlyList<UnknownBit> UnknownBits
        => [.. _blocks.Values.Where(b => b.Definition.IsCoils).OrderBy(b => b.Block).SelectMany(b => SeplosMap.UnknownSetBits(b.Block, b.Payload.Span))];

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

/// <summary>
/// Part of a pack's reading that is not there, and why: a whole block (refused, no answer) or the
/// keys past a shorter answer. Front ends show the gap; they never fill it with 0.
/// </summary>
public sealed record MissingReading(BlockId Block, string Reason, IReadOnlyList<string> Keys, bool WholeBlock)
{
    public string BlockName => SeplosMap.Block(Block).Name;

    /// <summary>"PIC: pack 0 refused …" or "PIA (pia_reserved_11): the pack answers …".</summary>
    public override string ToString() => WholeBlock ? $"{BlockName}: {Reason}" : $"{BlockName} ({string.Join(", ", Keys)}): {Reason}";
}
