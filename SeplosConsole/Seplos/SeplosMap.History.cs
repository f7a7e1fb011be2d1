using System.Collections.Immutable;

namespace SeplosConsole.Seplos;

/// <summary>
/// One byte of a history record's event registers (HIA 0x1606–0x160A): which register half holds
/// it and which PIC byte has the same bit table, so a history event has the live alarm's name.
/// </summary>
/// <param name="Index">0–9, in the order the reference lists them (TB09, TB02 … TB15).</param>
/// <param name="RegisterOffset">Register offset in the record (6–10).</param>
/// <param name="HighByte">True for the first-listed byte of the register (assumed high byte; unconfirmed).</param>
/// <param name="Table">The bit table, e.g. "TB02".</param>
/// <param name="PicByte">The PIC byte (8–17) with the same table.</param>
public sealed record HistoryEventByte(int Index, int RegisterOffset, bool HighByte, string Table, int PicByte)
{
    /// <summary>The live PIC flags this byte's bits mean, bit 0 first.</summary>
    public ImmutableArray<FlagDefinition> Flags => [.. SeplosMap.FlagsOf(BlockId.Pic).Where(f => f.ByteIndex == PicByte)];
}

public static partial class SeplosMap
{
    /// <summary>
    /// The non-standard history read (register reference, HIA): fc 0x04 at start 0x7000 whose count
    /// field is a command — 0x55AA the first (newest) record, 0xAA55 the next one — answered with one
    /// record laid out as HIA, or exception 0x81 when there is no (further) record.
    /// </summary>
    public const ushort HistoryRequestStart = 0x7000;
    public const ushort HistoryFirstCommand = 0x55AA;
    public const ushort HistoryNextCommand = 0xAA55;

    /// <summary>The non-standard reads of the map, for the passive decoder (`decode`): the history read.</summary>
    public static IReadOnlyList<Rtu.CommandRead> CommandReads { get; } =
        [new(Rtu.ModbusFunction.ReadInputRegisters, HistoryRequestStart, [HistoryFirstCommand, HistoryNextCommand], 0x28)];

    /// <summary>What a history request asks for, or null when the frame's start and count are no history request.</summary>
    public static string? DescribeHistoryRequest(ushort start, ushort command) => start != HistoryRequestStart ? null : command switch
    {
        HistoryFirstCommand => "history request 0x55AA: the first (newest) record",
        HistoryNextCommand => "history request 0xAA55: the next record",
        _ => $"history request with unknown command 0x{command:X4}",
    };

    /// <summary>
    /// The fields of one history record (HIA 0x1600–0x1627), in the map's shape. Keys are the live
    /// fields' keys where the meaning is the same (pack_voltage, cell_1 …); they are not part of
    /// <see cref="Fields"/>, because no poll reads them and a history record is not a live value.
    /// The whole layout is unconfirmed: no real capture of a history record has been seen.
    /// </summary>
    public static ImmutableArray<FieldDefinition> HistoryFields => HistoryLayout.Fields;

    /// <summary>The ten event bytes of a history record, in the reference's order.</summary>
    public static ImmutableArray<HistoryEventByte> HistoryEventBytes => HistoryLayout.EventBytes;

    /// <summary>A history field by key; throws for a key the layout does not have (a bug, not input).</summary>
    public static FieldDefinition HistoryField(string key)
        => HistoryLayout.Fields.FirstOrDefault(f => f.Key == key) ?? throw new ArgumentException($"the history layout has no field {key}", nameof(key));

    /// <summary>The pack's clock, SCA 0x1500–0x1503 (TB13). The only SCA register the map has.</summary>
    public static FieldDefinition SystemDate => FindField("system_date")!;

    // SCA 0x1500: the date only. 0x1504–0x1519 (timed history, calibration, FET control, parameter
    // reset, power-off, system reset, boot) are commands that can damage a pack: not in the map, so
    // no front end can name them (register reference, SCA: "Everything but the date is destructive").
    private static IEnumerable<FieldDefinition> ClockFields() =>
    [
        Field(BlockId.Sca, 0x00, "system_date", "Pack clock", Kind.Raw, FieldCategory.Identity) with
        {
            Type = RegisterType.Tb13Date,
            Registers = 4,
            Quantity = Quantity.Text,
            Note = "TB13, no time zone; written only by `seplos clock --set` (all 4 registers in one fc 0x10 write)",
        },
    ];

    /// <summary>A nested type, so the layout is built on first use, after the blocks it refers to.</summary>
    private static class HistoryLayout
    {
        internal static readonly ImmutableArray<HistoryEventByte> EventBytes = BuildEventBytes();
        internal static readonly ImmutableArray<FieldDefinition> Fields = BuildHistoryFields();

        private static ImmutableArray<HistoryEventByte> BuildEventBytes()
        {
            // The record lists the same ten tables as PIC bytes 8–17, in the same order, two to a
            // register; which byte of a register is listed first is not stated, and the PIC/EIC
            // order suggests the high byte (register reference, HIA).
            var tables = BitTables.StateTables;
            return [.. tables.Select((table, i) => new HistoryEventByte(i, 6 + (i / 2), i % 2 == 0, table.Id, 8 + i))];
        }

        private static ImmutableArray<FieldDefinition> BuildHistoryFields()
        {
            const string unconfirmed = "HIA layout from the vendor document only; no capture seen";
            FieldDefinition Hia(int offset, string key, string name, Kind kind)
                => Field(BlockId.Hia, offset, key, name, kind) with { Uncertain = true, Note = unconfirmed };

            var fields = new List<FieldDefinition>
            {
                Hia(0x00, "records_remaining", "Records remaining", Kind.Count) with
                {
                    Type = RegisterType.U32LowWordFirst,
                    Registers = 2,
                    Note = "u32; word order not stated: read low word first, as EIA's u32 values are",
                },
                Hia(0x02, "record_date", "Record date", Kind.Raw) with { Type = RegisterType.Tb13Date, Registers = 4, Quantity = Quantity.Text },
            };
            foreach (var register in EventBytes.GroupBy(b => b.RegisterOffset))
            {
                var tables = string.Join(" · ", register.Select(b => b.Table));
                fields.Add(Hia(register.Key, $"event_bytes_{register.Key - 6 + 1}", $"Event bytes {tables}", Kind.Raw) with
                {
                    Note = $"{tables}: high byte first (assumed), bits as PIC bytes {register.First().PicByte}–{register.Last().PicByte}",
                });
            }
            fields.Add(Hia(0x0B, "pack_voltage", "Pack voltage", Kind.PackVolts));
            fields.Add(Hia(0x0C, "current", "Current", Kind.CentiAmps));
            fields.Add(Hia(0x0D, "remaining_capacity", "Remaining capacity", Kind.CentiAmpHours));
            for (var cell = 1; cell <= 16; cell++)
            {
                fields.Add(Hia(0x0E + cell - 1, $"cell_{cell}", $"Cell {cell} voltage", Kind.CellVolts));
            }
            for (var sensor = 1; sensor <= 4; sensor++)
            {
                fields.Add(Hia(0x1E + sensor - 1, $"cell_temp_{sensor}", $"Cell temperature {sensor}", Kind.Kelvin));
            }
            for (var offset = 0x22; offset <= 0x25; offset++)
            {
                fields.Add(Hia(offset, $"hia_reserved_{offset:x2}", $"HIA 0x{0x1600 + offset:X4} (reserved)", Kind.Raw) with { Category = FieldCategory.Diagnostic });
            }
            fields.Add(Hia(0x26, "environment_temp", "Environment temperature", Kind.Kelvin));
            fields.Add(Hia(0x27, "power_temp", "Power (MOSFET) temperature", Kind.Kelvin));
            return [.. fields];
        }
    }
}
