using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Simulation;

namespace SeplosConsole.Tests.Protocol;

/// <summary>
/// Issue 11: a pack that refuses a block still gives every other reading with the gap named; a
/// shorter PIA is read as the vendor software reads it; sensors that are not fitted are absent.
/// </summary>
public sealed class PartialReadingTests
{
    private static readonly DateTimeOffset ReadAt = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static BlockReading Encoded(BlockId block, Dictionary<string, double> values)
    {
        var definition = SeplosMap.Block(block);
        var payload = new byte[definition.RegisterCount * 2];
        foreach (var field in SeplosMap.FieldsOf(block).Where(f => values.ContainsKey(f.Key)))
        {
            SeplosCodec.EncodeValue(field, values[field.Key], payload);
        }
        return new BlockReading(block, payload, ReadAt);
    }

    private static Dictionary<string, double> Cells(int count, double volts = 3.300)
        => Enumerable.Range(1, 16).ToDictionary(i => $"cell_{i}", i => i <= count ? volts + (i * 0.001) : 0.0);

    private static async Task<(SeplosClient Client, BmsSimulator Simulator)> ClientAsync(SimulatorOptions options)
    {
        var transport = InProcessSimulatorTransport.Create(options with { Turnaround = TimeSpan.FromMilliseconds(1) });
        var rtu = new RtuClient(transport, new RtuClientOptions { Timeout = TimeSpan.FromMilliseconds(500), Retries = 1 });
        await rtu.ConnectAsync(CancellationToken.None);
        return (new SeplosClient(rtu), transport.Simulator);
    }

    [Fact]
    public async Task A_pack_that_refuses_pia_with_0x12_registers_is_read_with_0x11_and_asked_so_from_then_on()
    {
        var (client, _) = await ClientAsync(new SimulatorOptions { RefusedReads = [new RefusedRead(BlockId.Pia, 0x12)] });
        await using var rtu = client.Rtu;

        var first = await client.ReadBlockAsync(0, BlockId.Pia, CancellationToken.None);
        var second = await client.ReadBlockAsync(0, BlockId.Pia, CancellationToken.None);

        Assert.Equal(0x11 * 2, first.Payload.Length);
        Assert.Equal(0x11 * 2, second.Payload.Length);
        Assert.Equal((ushort)0x11, client.ShortReadOf(0, BlockId.Pia));
        // One refusal, then straight to 0x11: the pack is not asked for 0x12 on every poll.
        Assert.Equal(1, rtu.CountersFor(0).Snapshot().Exceptions);

        var snapshot = PackSnapshot.Empty(0).With(second);
        Assert.NotNull(snapshot.Value("pack_voltage"));
        Assert.NotNull(snapshot.Value("maxchgcurt"));
        // The 0x12th register was not read: missing, not 0.
        Assert.Null(snapshot.Value("pia_reserved_11"));
        var missing = Assert.Single(snapshot.Missing);
        Assert.Equal(["pia_reserved_11"], missing.Keys);
        Assert.False(missing.WholeBlock);
        Assert.Contains("0x11 registers, not 0x12", missing.Reason);
    }

    [Fact]
    public async Task A_pack_that_answers_0x12_registers_is_never_asked_for_0x11()
    {
        var (client, _) = await ClientAsync(new SimulatorOptions());
        await using var rtu = client.Rtu;

        var reading = await client.ReadBlockAsync(0, BlockId.Pia, CancellationToken.None);

        Assert.Equal(0x12 * 2, reading.Payload.Length);
        Assert.Null(client.ShortReadOf(0, BlockId.Pia));
        Assert.Empty(PackSnapshot.Empty(0).With(reading).Missing);
    }

    [Fact]
    public async Task A_refused_block_other_than_pia_is_not_read_shorter()
    {
        var (client, _) = await ClientAsync(new SimulatorOptions { RefusedReads = [new RefusedRead(BlockId.Pic)] });
        await using var rtu = client.Rtu;

        var refused = await Assert.ThrowsAsync<PackRefusedException>(() => client.ReadBlockAsync(0, BlockId.Pic, CancellationToken.None));

        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, refused.Code);
        Assert.Null(client.ShortReadOf(0, BlockId.Pic));
    }

    [Fact]
    public async Task One_shot_reads_ask_a_busy_pack_once_more_and_give_up_when_it_stays_busy()
    {
        var (client, simulator) = await ClientAsync(new SimulatorOptions());
        await using var rtu = client.Rtu;
        simulator.Faults.ExceptionCode = ModbusExceptionCode.DeviceBusy;

        simulator.Faults.InjectNext(SimulatedFault.ExceptionReply, 1);
        var reading = await client.ReadBlockRetryingBusyAsync(0, BlockId.Pib, TimeSpan.FromMilliseconds(100), CancellationToken.None);
        Assert.Equal(0x1A * 2, reading.Payload.Length);

        simulator.Faults.InjectNext(SimulatedFault.ExceptionReply, 2);
        var busy = await Assert.ThrowsAsync<PackRefusedException>(() => client.ReadBlockRetryingBusyAsync(0, BlockId.Pib, TimeSpan.FromMilliseconds(100), CancellationToken.None));
        Assert.Equal(ModbusExceptionCode.DeviceBusy, busy.Code);
        Assert.Equal(3, simulator.Faults.Injected(SimulatedFault.ExceptionReply));
    }

    [Fact]
    public void Temperature_sensors_past_ntc_count_are_absent_and_come_back_when_the_count_grows()
    {
        var pib = Encoded(BlockId.Pib, new() { ["cell_temp_4"] = 21.0, ["cell_temp_5"] = 0.0, ["cell_temp_8"] = 0.0 });
        // Before SPA is read the count is unknown: every sensor is shown (listen mode never reads SPA).
        var unknown = PackSnapshot.Empty(0).With(pib);
        Assert.Equal(0.0, unknown.Value("cell_temp_5"));

        var four = unknown.With(Encoded(BlockId.Spa, new() { ["ntc_count"] = 4, ["cell_count"] = 16 }));
        Assert.Equal(21.0, four.Value("cell_temp_4"));
        Assert.Null(four.Value("cell_temp_5"));
        Assert.Null(four.Value("cell_temp_8"));
        Assert.Equal(["cell_temp_5", "cell_temp_6", "cell_temp_7", "cell_temp_8"], four.NotFitted.Select(f => f.Key));
        Assert.Empty(four.Missing); // not fitted is a fact about the pack, not a gap in the reading

        // A new PIB on a four-sensor pack does not bring them back either.
        Assert.Null(four.With(pib).Value("cell_temp_5"));

        var eight = four.With(Encoded(BlockId.Spa, new() { ["ntc_count"] = 8, ["cell_count"] = 16 }));
        Assert.Equal(0.0, eight.Value("cell_temp_5"));
        Assert.Empty(eight.NotFitted);
    }

    [Fact]
    public void The_alarm_and_balancing_bits_of_sensors_that_are_not_fitted_are_absent_not_off_and_raise_no_alarm()
    {
        // PIC bytes 0–7 (register reference, PIC): one bit per cell or sensor. Every bit set, so each
        // flag is "on" where it is decoded at all.
        var pic = new BlockReading(BlockId.Pic, (byte[])[.. Enumerable.Repeat((byte)0xFF, 8), .. new byte[10]], ReadAt);
        var unknown = PackSnapshot.Empty(0).With(pic);
        Assert.True(unknown.Flag("cell_temp_5_low_alarm"));

        var small = unknown.With(Encoded(BlockId.Spa, new() { ["ntc_count"] = 4, ["cell_count"] = 15 }));

        Assert.True(small.Flag("cell_temp_4_low_alarm"));
        Assert.Null(small.Flag("cell_temp_5_low_alarm"));
        Assert.Null(small.Flag("cell_temp_8_high_alarm"));
        Assert.True(small.Flag("cell_15_balancing"));
        Assert.Null(small.Flag("cell_16_balancing"));
        Assert.Null(small.Flag("cell_16_high_voltage_alarm"));
        Assert.DoesNotContain(small.ActiveProblems, f => f.Key is "cell_temp_5_low_alarm" or "cell_16_low_voltage_alarm");
        Assert.Equal(
            ["cell_16_balancing", "cell_16_high_voltage_alarm", "cell_16_low_voltage_alarm", .. Enumerable.Range(5, 4).SelectMany(n => new[] { $"cell_temp_{n}_high_alarm", $"cell_temp_{n}_low_alarm" })],
            small.NotFittedFlags.Select(f => f.Key).Order(StringComparer.Ordinal));
        // A new PIC on that pack does not bring them back; a larger count does, from the PIC already read.
        Assert.Null(small.With(pic).Flag("cell_temp_5_low_alarm"));
        var full = small.With(Encoded(BlockId.Spa, new() { ["ntc_count"] = 8, ["cell_count"] = 16 }));
        Assert.True(full.Flag("cell_temp_5_low_alarm"));
        Assert.True(full.Flag("cell_16_balancing"));
        Assert.Empty(full.NotFittedFlags);
    }

    [Fact]
    public void Cells_past_cell_count_are_absent_and_left_out_of_the_spread()
    {
        var pib = Encoded(BlockId.Pib, Cells(13));
        var snapshot = PackSnapshot.Empty(0).With(Encoded(BlockId.Spa, new() { ["ntc_count"] = 4, ["cell_count"] = 12 })).With(pib);

        Assert.NotNull(snapshot.Value("cell_12"));
        Assert.Null(snapshot.Value("cell_13"));
        Assert.Equal(0.011, snapshot.Value("cell_delta")); // cells 1–12: 3.301 … 3.312 V, not cell 13's 3.313
        Assert.Equal(12, snapshot.CellCount);
    }

    [Fact]
    public void A_count_no_pack_can_have_shows_every_sensor()
    {
        var snapshot = PackSnapshot.Empty(0)
            .With(Encoded(BlockId.Pib, new() { ["cell_temp_5"] = 20.0, ["cell_1"] = 3.3 }))
            .With(Encoded(BlockId.Spa, new() { ["ntc_count"] = 0, ["cell_count"] = 40 }));

        Assert.Equal(20.0, snapshot.Value("cell_temp_5"));
        Assert.Equal(3.3, snapshot.Value("cell_1"));
    }

    [Fact]
    public void A_refused_block_drops_its_earlier_values_and_the_next_reading_closes_the_gap()
    {
        var pia = Encoded(BlockId.Pia, new() { ["pack_voltage"] = 52.0, ["current"] = 5.0 });
        var read = PackSnapshot.Empty(0).With(pia).With(new BlockReading(BlockId.Pic, new byte[18] { 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, ReadAt));
        Assert.NotEmpty(read.ActiveProblems);

        var refused = read.WithMissing(BlockId.Pic, "pack 0 refused to send PIC: illegal data address");

        Assert.False(refused.Has(BlockId.Pic));
        Assert.Empty(refused.Flags);
        Assert.Empty(refused.ActiveProblems);
        Assert.Equal(52.0, refused.Value("pack_voltage"));
        Assert.Equal(260.0, refused.Value("power"));
        var missing = Assert.Single(refused.Missing);
        Assert.True(missing.WholeBlock);
        Assert.Equal("PIC: pack 0 refused to send PIC: illegal data address", missing.ToString());

        var again = refused.With(new BlockReading(BlockId.Pic, new byte[18], ReadAt));
        Assert.False(again.IsPartial);
        Assert.Equal(false, again.Flag("cell_1_low_voltage_alarm"));
    }

    [Theory]
    [InlineData("pic", BlockId.Pic, null)]
    [InlineData(" VIA ", BlockId.Via, null)]
    [InlineData("pia:0x12", BlockId.Pia, (ushort)0x12)]
    [InlineData("pia:17", BlockId.Pia, (ushort)17)]
    public void Refused_reads_are_named_by_block_and_optional_size(string text, BlockId block, ushort? count)
    {
        Assert.True(RefusedRead.TryParse(text, out var refused, out _));
        Assert.Equal(new RefusedRead(block, count), refused);
    }

    [Theory]
    [InlineData("pix", "not a block")]
    [InlineData("pia:0", "not a register or coil count")]
    [InlineData("pia:zz", "not a register or coil count")]
    public void Refused_reads_reject_what_is_not_a_block_or_size(string text, string error)
    {
        Assert.False(RefusedRead.TryParse(text, out _, out var message));
        Assert.Contains(error, message);
    }

    [Fact]
    public void A_refused_size_refuses_only_that_size_and_a_refused_block_any_read_touching_it()
    {
        var pia = new RefusedRead(BlockId.Pia, 0x12);
        Assert.True(pia.Refuses(ModbusFunction.ReadInputRegisters, 0x1000, 0x12));
        Assert.False(pia.Refuses(ModbusFunction.ReadInputRegisters, 0x1000, 0x11));

        var via = new RefusedRead(BlockId.Via);
        Assert.True(via.Refuses(ModbusFunction.ReadInputRegisters, 0x1700, 0x33));
        Assert.True(via.Refuses(ModbusFunction.ReadInputRegisters, 0x1714, 1)); // one register inside it (a write's read-back)
        Assert.False(via.Refuses(ModbusFunction.ReadInputRegisters, 0x1300, 0x35));
        Assert.False(via.Refuses(ModbusFunction.ReadCoils, 0x1700, 8));
    }
}
