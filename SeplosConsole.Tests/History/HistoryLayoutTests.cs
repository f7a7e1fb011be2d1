using CsCheck;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services.Writes;

namespace SeplosConsole.Tests.History;

/// <summary>TB13 dates, the HIA record layout and the SCA block, as the map holds them.</summary>
public class HistoryLayoutTests
{
    [Fact]
    public void Tb13_golden_read_E807_050E_0009_3434_is_2024_05_14_00_09_52()
    {
        // A real read of SCA 0x1500–0x1503 (register reference, SCA: dbus-serialbattery issue thread).
        byte[] bytes = [0xE8, 0x07, 0x05, 0x0E, 0x00, 0x09, 0x34, 0x34];

        Assert.Equal(new DateTime(2024, 5, 14, 0, 9, 52), Tb13Date.Decode(bytes));
        Assert.Equal([0xE807, 0x050E, 0x0009, 0x3434], Tb13Date.Registers(new DateTime(2024, 5, 14, 0, 9, 52), reserved: 0x34));
    }

    [Fact]
    public void Tb13_bytes_that_are_no_date_decode_to_null_and_say_so()
    {
        byte[] neverSet = [0, 0, 0, 0, 0, 0, 0, 0];
        byte[] february30 = [0xE8, 0x07, 0x02, 0x1E, 0x00, 0x00, 0x00, 0x00];

        Assert.Null(Tb13Date.Decode(neverSet));
        Assert.Null(Tb13Date.Decode(february30));
        Assert.Equal("invalid date (E807021E00000000)", Tb13Date.Describe(february30));
    }

    [Fact]
    public void The_history_request_is_fc04_at_0x7000_with_the_command_in_the_count_field()
    {
        var first = RtuRequest.ReadWithCommand(0x00, SeplosMap.HistoryRequestStart, SeplosMap.HistoryFirstCommand, SeplosMap.Block(BlockId.Hia).Count);
        var next = RtuRequest.ReadWithCommand(0x00, SeplosMap.HistoryRequestStart, SeplosMap.HistoryNextCommand, SeplosMap.Block(BlockId.Hia).Count);

        // addr 00, fc 04, start 70 00, command 55 AA, then the CRC low byte first.
        Assert.Equal("00 04 70 00 55 AA", Convert.ToHexString(first.Encode()[..6]).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => $"{a} {b}"));
        Assert.Equal("00 04 70 00 AA 55", Convert.ToHexString(next.Encode()[..6]).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => $"{a} {b}"));
        Assert.True(Crc16Modbus.IsValidFrame(first.Encode()));
        // The reply carries one record of 0x28 registers, whatever the count field says: 5 + 80 bytes.
        Assert.Equal(85, first.ExpectedResponseLength);
    }

    [Fact]
    public void The_history_layout_fills_0x1600_to_0x1627_without_overlap()
    {
        var used = new string?[0x28];
        foreach (var field in SeplosMap.HistoryFields)
        {
            for (var register = field.Offset; register < field.Offset + field.Registers; register++)
            {
                Assert.True(used[register] is null, $"{field.Key} overlaps {used[register]}");
                used[register] = field.Key;
            }
            Assert.True(field.Uncertain, $"{field.Key} must be marked unconfirmed: no capture of a history record exists");
        }
        Assert.All(used, Assert.NotNull);
        Assert.True(SeplosMap.Block(BlockId.Hia).Uncertain);
    }

    [Fact]
    public void History_event_bits_are_the_live_alarm_flags_themselves()
    {
        // TB02 bit 1 = cell over-voltage protection: byte 1 of the record, PIC byte 9 live.
        var record = Record(events: HistoryRecordCodec.EventBytesOf([SeplosMap.FindFlag("cell_over_voltage_protection_active")!, SeplosMap.FindFlag("charging")!]));

        var decoded = HistoryRecordCodec.Decode(HistoryRecordCodec.Encode(record));

        Assert.Equal(["charging", "cell_over_voltage_protection_active"], decoded.Events.Select(f => f.Key));
        Assert.Same(SeplosMap.FindFlag("cell_over_voltage_protection_active"), decoded.Events[1]);
        // High byte of 0x1606 = TB09 (charging = bit 1), low byte = TB02 (bit 1).
        var payload = HistoryRecordCodec.Encode(record);
        Assert.Equal(0x02, payload[6 * 2]);
        Assert.Equal(0x02, payload[(6 * 2) + 1]);
    }

    [Fact]
    public void Encoding_a_history_record_and_decoding_it_gives_the_same_record()
    {
        var gen =
            from remaining in Gen.Int[0, 100_000]
            from seconds in Gen.Long[0, (long)(new DateTime(2099, 12, 31) - new DateTime(2000, 1, 1)).TotalSeconds]
            from events in Gen.Byte.Array[10]
            from packCentivolts in Gen.Int[0, 65535]
            from centiamps in Gen.Int[short.MinValue, short.MaxValue]
            from capacity in Gen.Int[0, 65535]
            from cells in Gen.Int[0, 65535].Array[16]
            from temperatures in Gen.Int[0, 65535].Array[6]
            select new HistoryRecord
            {
                RecordsRemaining = remaining,
                Date = new DateTime(2000, 1, 1).AddSeconds(seconds),
                EventBytes = [.. events],
                PackVoltage = packCentivolts / 100.0,
                Current = centiamps / 100.0,
                RemainingCapacity = capacity / 100.0,
                Cells = [.. cells.Select(mv => mv / 1000.0)],
                CellTemperatures = [.. temperatures[..4].Select(Kelvin)],
                EnvironmentTemperature = Kelvin(temperatures[4]),
                PowerTemperature = Kelvin(temperatures[5]),
            };

        gen.Sample(record => HistoryRecordCodec.Decode(HistoryRecordCodec.Encode(record)).SameAs(record));
    }

    [Fact]
    public void The_map_exposes_nothing_of_SCA_but_the_date()
    {
        var sca = SeplosMap.Block(BlockId.Sca);
        var date = Assert.Single(SeplosMap.FieldsOf(BlockId.Sca));

        Assert.Equal(("system_date", (ushort)0x1500, 4), (date.Key, date.Address, date.Registers));
        Assert.Equal((0x1500, 4), (sca.Start, sca.Count));
        // 0x1504–0x1519: timed history, calibration, FET control, parameter reset, power-off, reset, boot.
        for (var register = 0x1504; register <= 0x1519; register++)
        {
            Assert.DoesNotContain(SeplosMap.Blocks, b => !b.IsCoils && b.Covers((ushort)register, 1));
            Assert.DoesNotContain(SeplosMap.Fields.Concat(SeplosMap.HistoryFields), f => register >= f.Address && register < f.Address + f.Registers);
        }
        Assert.All(SeplosMap.WritableParameters, f => Assert.Equal(BlockId.Spa, f.Block));
        // The parameter pipeline refuses the date: only `clock --set` writes it.
        Assert.Null(ParameterResolver.Resolve("system_date").Field);
    }

    private static double Kelvin(int raw) => Math.Round((raw - 2731) * 0.1, 1);

    internal static HistoryRecord Record(System.Collections.Immutable.ImmutableArray<byte> events) => new()
    {
        RecordsRemaining = 7,
        Date = new DateTime(2024, 5, 14, 0, 9, 52),
        EventBytes = events,
        PackVoltage = 53.12,
        Current = 25.5,
        RemainingCapacity = 200,
        Cells = [.. Enumerable.Repeat(3.32, 16)],
        CellTemperatures = [21.5, 21.4, 21.3, 21.2],
        EnvironmentTemperature = 23,
        PowerTemperature = 25.1,
    };
}
