using SeplosConsole.Rtu;
using SeplosConsole.Seplos;

namespace SeplosConsole.Tests.Protocol;

/// <summary>The vendor's example frames (register reference, S1), byte for byte and value for value.</summary>
public class GoldenFrameTests
{
    [Fact]
    public void Pia_request_encodes_as_the_vendor_example()
    {
        byte[] expected =
        [
            0x00,       // address 0 (the pack's DIP switch)
            0x04,       // fc 0x04 read input registers
            0x10, 0x00, // start register 0x1000 (PIA), high byte first
            0x00, 0x12, // 0x12 = 18 registers
            0x75, 0x16, // CRC-16/MODBUS 0x1675, low byte first
        ];
        Assert.Equal(expected, RtuRequest.ReadInputRegisters(0x00, 0x1000, 0x12).Encode());
        Assert.Equal(Frames.Hex(Frames.PiaRequest), expected);
    }

    [Fact]
    public void Pib_request_encodes_as_the_vendor_example()
    {
        byte[] expected =
        [
            0x00,       // address 0
            0x04,       // fc 0x04 read input registers
            0x11, 0x00, // start register 0x1100 (PIB)
            0x00, 0x1A, // 0x1A = 26 registers
            0x75, 0x2C, // CRC 0x2C75, low byte first
        ];
        Assert.Equal(expected, RtuRequest.ReadInputRegisters(0x00, 0x1100, 0x1A).Encode());
    }

    [Fact]
    public void Pic_request_encodes_as_the_vendor_example()
    {
        byte[] expected =
        [
            0x00,       // address 0
            0x01,       // fc 0x01 read coils
            0x12, 0x00, // first coil 0x1200 (PIC)
            0x00, 0x90, // 0x90 = 144 coils = 18 bytes in the reply
            0x38, 0xCF, // CRC 0xCF38, low byte first
        ];
        Assert.Equal(expected, RtuRequest.ReadCoils(0x00, 0x1200, 0x90).Encode());
    }

    [Fact]
    public void Map_blocks_produce_the_vendor_requests()
    {
        Assert.Equal(Frames.Hex(Frames.PiaRequest), Assert.Single(SeplosMap.Block(BlockId.Pia).Requests(0)).Encode());
        Assert.Equal(Frames.Hex(Frames.PibRequest), Assert.Single(SeplosMap.Block(BlockId.Pib).Requests(0)).Encode());
        Assert.Equal(Frames.Hex(Frames.PicRequest), Assert.Single(SeplosMap.Block(BlockId.Pic).Requests(0)).Encode());
    }

    [Fact]
    public void Pia_response_decodes_through_the_map_to_the_vendor_values()
    {
        var response = DecodePair(Frames.PiaRequest, Frames.PiaResponse);

        Assert.Equal("PIA", response.Block);
        Assert.Equal(BlockSource.PairedRequest, response.BlockSource);
        var fields = response.Fields.ToDictionary(f => f.Key);
        AssertField(fields, "pack_voltage", "52.81", "V");
        AssertField(fields, "current", "0.00", "A");
        AssertField(fields, "remaining_capacity", "200.00", "Ah");
        AssertField(fields, "total_capacity", "200.00", "Ah");
        AssertField(fields, "total_discharge_capacity", "0", "Ah");
        AssertField(fields, "soc", "100.0", "%");
        AssertField(fields, "soh", "100.0", "%");
        AssertField(fields, "cycles", "0", "");
        AssertField(fields, "average_cell_voltage", "3.300", "V");
        AssertField(fields, "average_cell_temp", "21.3", "°C");
        AssertField(fields, "max_cell_voltage", "3.302", "V");
        AssertField(fields, "min_cell_voltage", "3.300", "V");
        AssertField(fields, "max_cell_temp", "21.5", "°C");
        AssertField(fields, "min_cell_temp", "21.2", "°C");
        AssertField(fields, "maxdiscurt", "180", "A");
        AssertField(fields, "maxchgcurt", "180", "A");
        // 0x1011 is reserved; S1's example shows 0x03E8 there.
        Assert.Equal(0x03E8, fields["pia_reserved_11"].Raw);
        Assert.Equal(18, fields.Count);
    }

    [Fact]
    public void Pib_response_decodes_through_the_map_to_the_vendor_values()
    {
        var response = DecodePair(Frames.PibRequest, Frames.PibResponse);

        Assert.Equal("PIB", response.Block);
        var fields = response.Fields.ToDictionary(f => f.Key);
        string[] cells = ["3.302", "3.300", "3.301", "3.300", "3.300", "3.301", "3.301", "3.300", "3.300", "3.300", "3.301", "3.301", "3.300", "3.301", "3.300", "3.300"];
        for (var cell = 1; cell <= 16; cell++)
        {
            AssertField(fields, $"cell_{cell}", cells[cell - 1], "V");
        }
        AssertField(fields, "cell_temp_1", "21.4", "°C");
        AssertField(fields, "cell_temp_2", "21.5", "°C");
        AssertField(fields, "cell_temp_3", "21.2", "°C");
        AssertField(fields, "cell_temp_4", "21.2", "°C");
        // Sensors 5–8 read 2731 = 0.0 °C when not fitted (register reference, PIB).
        AssertField(fields, "cell_temp_5", "0.0", "°C");
        AssertField(fields, "environment_temp", "23.0", "°C");
        AssertField(fields, "power_temp", "21.6", "°C");
    }

    [Fact]
    public void Pic_response_says_standby_with_both_fets_on_and_no_alarms()
    {
        var response = DecodePair(Frames.PicRequest, Frames.PicResponse);

        Assert.Equal("PIC", response.Block);
        Assert.Equal(["standby", "discharge_fet_on", "charge_fet_on"], response.ActiveFlags.Select(f => f.Key));
        Assert.DoesNotContain(response.ActiveFlags, f => f.Kind is FlagKind.Alarm or FlagKind.Protection or FlagKind.Fault);
    }

    [Theory]
    [InlineData(Frames.PiaResponse, "PIA")]
    [InlineData(Frames.PicResponse, "PIC")]
    public void Lone_response_finds_its_block_by_function_and_length(string response, string block)
    {
        var item = Assert.Single(DecodeSession.RunHex([response]).Items);

        Assert.Equal(block, item.Block);
        Assert.Equal(BlockSource.Length, item.BlockSource);
    }

    private static InterpretedFrame DecodePair(string request, string response)
    {
        var result = DecodeSession.RunHex([request, response]);
        Assert.Equal(2, result.Items.Count);
        Assert.Equal(InterpretedKind.Request, result.Items[0].Kind);
        var reply = result.Items[1];
        Assert.Equal(InterpretedKind.Response, reply.Kind);
        Assert.True(reply.CrcOk);
        Assert.Equal(0, reply.RequestOffset);
        return reply;
    }

    private static void AssertField(Dictionary<string, InterpretedField> fields, string key, string display, string unit)
    {
        Assert.True(fields.TryGetValue(key, out var field), $"{key} was not decoded");
        Assert.Equal((display, unit), (field.Display, field.Unit));
    }
}
