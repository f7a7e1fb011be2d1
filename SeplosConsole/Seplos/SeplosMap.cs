using System.Collections.Frozen;
using System.Collections.Immutable;
using SeplosConsole.Rtu;

namespace SeplosConsole.Seplos;

/// <summary>A set bit of a coil block that the map does not name: byte index and bit (0 = lowest) from the block start.</summary>
public sealed record UnknownBit(string Block, ushort Coil, int Byte, int Bit)
{
    public override string ToString() => $"{Block} byte {Byte} bit {Bit} (coil 0x{Coil:X4})";
}

/// <summary>
/// The Seplos V3 register map: the one table that the decoder, CLI, dashboard, MQTT discovery,
/// simulator and docs read. Every number here comes from the register reference
/// (docs/protocol.md lists the sources S1, S2, S3 and capture C1).
/// </summary>
public static partial class SeplosMap
{
    /// <summary>Pack addresses set by the DIP switch.</summary>
    public const byte MaxPackAddress = 0x0F;

    public static IReadOnlyList<RegisterBlock> Blocks { get; } =
    [
        // The master reads PIA with 0x12 registers, the vendor software with 0x11 (register
        // reference, "Parallel stacks"): a pack that refuses 0x12 is asked for 0x11.
        new(BlockId.Pia, "PIA", ModbusFunction.ReadInputRegisters, 0x1000, 0x12, 0x12, "pack info A: voltage, current, capacity, SOC/SOH", FallbackCount: 0x11),
        new(BlockId.Pib, "PIB", ModbusFunction.ReadInputRegisters, 0x1100, 0x1A, 0x1A, "pack info B: cell voltages and temperatures"),
        new(BlockId.Pic, "PIC", ModbusFunction.ReadCoils, 0x1200, 0x90, 0x90, "pack info C: alarms, balancing, state, faults"),
        // The vendor software reads SPA as two requests of 0x35 registers (C1); we do the same.
        new(BlockId.Spa, "SPA", ModbusFunction.ReadInputRegisters, 0x1300, 0x6A, 0x35, "system parameters"),
        new(BlockId.Via, "VIA", ModbusFunction.ReadInputRegisters, 0x1700, 0x33, 0x33, "version info: maker, model, firmware, serials"),
        new(BlockId.Pct, "PCT", ModbusFunction.ReadInputRegisters, 0x1800, 0x24, 0x24, "inverter CAN protocol"),
        // Read-only here: the map exposes the switches, never a write of fc 0x0F (register reference, SFA).
        new(BlockId.Sfa, "SFA", ModbusFunction.ReadCoils, 0x1400, 0x50, 0x50, "function switches: which protections and functions are enabled"),
        new(BlockId.Eia, "EIA", ModbusFunction.ReadInputRegisters, 0x2000, 0x1A, 0x1A, "system totals (master pack)"),
        // A read of 0x1A registers is refused (C1); 0x16 is what the master answers.
        new(BlockId.Eib, "EIB", ModbusFunction.ReadInputRegisters, 0x2100, 0x16, 0x16, "system extremes (master pack), raw", Uncertain: true),
        new(BlockId.Eic, "EIC", ModbusFunction.ReadCoils, 0x2200, 0x50, 0x50, "system state bits (master pack)"),
        // SCA: only the date (TB13); the control commands after it are deliberately left out.
        new(BlockId.Sca, "SCA", ModbusFunction.ReadInputRegisters, 0x1500, 0x04, 0x04, "system control: the pack's clock only"),
        // HIA: one history record, read with the non-standard request of SeplosMap.History.cs, never polled.
        new(BlockId.Hia, "HIA", ModbusFunction.ReadInputRegisters, 0x1600, 0x28, 0x28, "one history record", Uncertain: true),
    ];

    private static readonly FrozenDictionary<BlockId, RegisterBlock> BlocksById = Blocks.ToFrozenDictionary(b => b.Id);

    public static RegisterBlock Block(BlockId id) => BlocksById[id];

    /// <summary>Blocks read on every poll of a pack.</summary>
    public static IReadOnlyList<BlockId> LiveBlocks { get; } = [BlockId.Pia, BlockId.Pib, BlockId.Pic];

    /// <summary>Blocks that change rarely: read at start, after a write and now and then.</summary>
    public static IReadOnlyList<BlockId> SlowBlocks { get; } = [BlockId.Spa, BlockId.Via, BlockId.Pct, BlockId.Sfa];

    /// <summary>
    /// Blocks the poller reads with the slow ones when the pack answers them, and stops asking for
    /// once it refuses: the clock (SCA date), whose read function the documents do not state.
    /// </summary>
    public static IReadOnlyList<BlockId> OptionalSlowBlocks { get; } = [BlockId.Sca];

    /// <summary>Blocks only the master pack of a parallel system answers.</summary>
    public static IReadOnlyList<BlockId> SystemBlocks { get; } = [BlockId.Eia, BlockId.Eib, BlockId.Eic];

    public static IReadOnlyList<FieldDefinition> Fields { get; } = BuildFields();

    public static IReadOnlyList<FlagDefinition> Flags { get; } = BuildFlags();

    private static readonly FrozenDictionary<string, FieldDefinition> FieldsByName = IndexFields();
    private static readonly FrozenDictionary<string, FlagDefinition> FlagsByKey = Flags.ToFrozenDictionary(f => f.Key, StringComparer.OrdinalIgnoreCase);

    // Per block, in map order, built once: every block decoded (3–7 a poll per pack) used to scan the whole map.
    private static readonly FrozenDictionary<BlockId, ImmutableArray<FieldDefinition>> FieldsByBlock = Blocks.ToFrozenDictionary(
        b => b.Id, b => Fields.Concat(HistoryFields).Where(f => f.Block == b.Id && f.Type != RegisterType.Derived).ToImmutableArray());
    private static readonly FrozenDictionary<BlockId, ImmutableArray<FlagDefinition>> FlagsByBlock = Blocks.ToFrozenDictionary(
        b => b.Id, b => Flags.Where(f => f.Block == b.Id).ToImmutableArray());

    // Declared after Flags and FlagsByBlock: static initializers run in textual order, and these read them.

    /// <summary>
    /// The pack's system state, table TB09 in PIC (charging, discharging, standby …), in bit order;
    /// several can be set at once. What Home Assistant's system_state sensor shows.
    /// </summary>
    public static IReadOnlyList<FlagDefinition> SystemStateFlags { get; } =
        [.. FlagsOf(BlockId.Pic).Where(f => BitTables.Tb09SystemState.Bits.Any(b => b?.Key == f.Key))];

    /// <summary>
    /// Every state bit of PIC: <see cref="SystemStateFlags"/> and the states of the other tables
    /// (cell heating, low SOC, current limiting …). The dashboard's state line shows them all; for
    /// MQTT the others are binary sensors of their own.
    /// </summary>
    public static IReadOnlyList<FlagDefinition> PackStateFlags { get; } =
        [.. FlagsOf(BlockId.Pic).Where(f => f.Kind == FlagKind.State)];

    // Bits of each coil block that the map names; a set bit outside these is reported, not dropped.
    private static readonly FrozenDictionary<BlockId, FrozenSet<int>> NamedBitsByBlock = Blocks.Where(b => b.IsCoils).ToFrozenDictionary(
        b => b.Id, b => FlagsByBlock[b.Id].Select(f => f.Bit).ToFrozenSet());

    /// <summary>
    /// Set bits of a coil block's payload that no flag of the map names (reserved bits, or bits the
    /// documents do not describe, e.g. EIC byte 7 = 0x43 on a real master): diagnostics, in bit order.
    /// </summary>
    public static IReadOnlyList<UnknownBit> UnknownSetBits(BlockId block, ReadOnlySpan<byte> coilBytes)
    {
        var definition = Block(block);
        if (!definition.IsCoils)
        {
            return [];
        }
        var named = NamedBitsByBlock[block];
        var found = new List<UnknownBit>();
        for (var bit = 0; bit < Math.Min(definition.Count, coilBytes.Length * 8); bit++)
        {
            if ((coilBytes[bit / 8] & (1 << (bit % 8))) != 0 && !named.Contains(bit))
            {
                found.Add(new UnknownBit(definition.Name, (ushort)(definition.Start + bit), bit / 8, bit % 8));
            }
        }
        return found;
    }

    /// <summary>The register fields of a block, in map order; derived fields are not in any block's payload.</summary>
    public static ImmutableArray<FieldDefinition> FieldsOf(BlockId block) => FieldsByBlock[block];

    public static ImmutableArray<FlagDefinition> FlagsOf(BlockId block) => FlagsByBlock[block];

    /// <summary>Sensors a pack may lack (cells past cell_count, temperature sensors past ntc_count): the fields with <see cref="FieldDefinition.FittedWhen"/>.</summary>
    public static ImmutableArray<FieldDefinition> OptionalSensors { get; } = [.. Fields.Where(f => f.FittedWhen is not null)];

    /// <summary>The bits about those sensors (their alarms, balancing): the flags with <see cref="FlagDefinition.FittedWhen"/>.</summary>
    public static ImmutableArray<FlagDefinition> OptionalSensorFlags { get; } = [.. Flags.Where(f => f.FittedWhen is not null)];

    /// <summary>Fields computed from other fields of their block (<see cref="RegisterType.Derived"/>), not read from registers.</summary>
    public static ImmutableArray<FieldDefinition> DerivedFields { get; } = [.. Fields.Where(f => f.Type == RegisterType.Derived)];

    public static IEnumerable<FieldDefinition> Parameters => Fields.Where(f => f.Category == FieldCategory.Parameter);

    public static IEnumerable<FieldDefinition> WritableParameters => Fields.Where(f => f.Writable);

    /// <summary>Finds a field by key or alias, ignoring case.</summary>
    public static FieldDefinition? FindField(string keyOrAlias) => Find(FieldsByName, keyOrAlias);

    public static FlagDefinition? FindFlag(string key) => Find(FlagsByKey, key);

    /// <summary>Every key a user can type (fields, their aliases, flags), for "did you mean".</summary>
    public static IEnumerable<string> AllNames => FieldsByName.Keys.Concat(FlagsByKey.Keys);

    /// <summary>
    /// Keys are snake_case; accept capitals, spaces and dashes typed by a person. A dash is folded
    /// to '_' only as the second try: one key of the reference, stand-by_time, has a dash itself.
    /// </summary>
    public static string Normalise(string name) => name.Trim().ToLowerInvariant().Replace(' ', '_');

    private static T? Find<T>(FrozenDictionary<string, T> index, string typed) where T : class
    {
        var name = Normalise(typed);
        return index.GetValueOrDefault(name) ?? index.GetValueOrDefault(name.Replace('-', '_'));
    }

    private static FrozenDictionary<string, FieldDefinition> IndexFields()
    {
        var index = new Dictionary<string, FieldDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in Fields)
        {
            index.Add(field.Key, field);
            foreach (var alias in field.Aliases)
            {
                index.Add(alias, field);
            }
        }
        return index.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}
