using SeplosConsole.Rtu;
using SeplosConsole.Seplos;

namespace SeplosConsole.Tests.Protocol;

public class FrameInterpreterTests
{
    // Line 15 of the sp05b capture with its 0x5C bytes put back to 0x0A: the capture tool replaced
    // 0x0A (not 0x0D as the reference says); with 0x0A the CRC passes.
    private const string CapturedEia = "00 04 34 14 A6 00 00 00 00 00 00 34 80 00 00 6D 60 00 00 00 F1 00 00 6D 60 00 00 00 01 00 00 00 00 00 00 07 08 00 00 07 08 00 00 02 40 01 D0 00 01 00 0A 01 E0 03 E7 37 0A";
    // Line 17 of the capture, restored the same way.
    private const string CapturedEic = "00 01 0A 10 00 00 00 00 00 00 03 00 00 2E 65";
    // sp05b capture, 0x5C restored to 0x0A (TestData/README.md).
    private const string CapturedEib = "00 04 2C 0C E8 0C E8 00 00 00 00 14 A6 14 A6 00 00 00 00 00 E5 00 DD 00 E1 00 00 00 01 01 E0 01 E0 00 0A 03 E7 00 F0 00 F0 00 F0 00 00 00 00 55 9F";
    private const string CapturedSfa = "00 01 0A FF FF 3F 01 7F 2F 9F 0F 63 6F 54 A1";

    [Fact]
    public void Eia_from_the_capture_decodes_low_word_first_with_a_start_hint()
    {
        var item = Assert.Single(DecodeSession.RunHex([CapturedEia], new DecodeOptions { StartHint = 0x2000 }).Items);

        Assert.True(item.CrcOk);
        Assert.Equal(("EIA", BlockSource.StartHint), (item.Block, item.BlockSource));
        var values = item.Fields.ToDictionary(f => f.Key, f => f.Display);
        Assert.Equal("52.86", values["system_voltage"]);
        Assert.Equal("0.0", values["system_current"]);
        Assert.Equal("134.40", values["system_remaining_capacity"]);
        Assert.Equal("280.00", values["system_total_capacity"]);
        Assert.Equal("2410", values["system_discharged_capacity"]);
        Assert.Equal("280.00", values["system_rated_capacity"]);
        Assert.Equal("1", values["system_online_packs"]);
        Assert.Equal("0", values["system_protected_packs"]);
        Assert.Equal("180.0", values["system_max_discharge_current"]);
        Assert.Equal("180.0", values["system_max_charge_current"]);
        Assert.Equal("57.6", values["system_suggested_over_voltage"]);
        Assert.Equal("46.4", values["system_suggested_under_voltage"]);
        Assert.Equal("1", values["system_pack_count"]);
        Assert.Equal("10", values["system_cycles"]);
        Assert.Equal("48.0", values["system_soc"]);
        Assert.Equal("99.9", values["system_soh"]);
    }

    [Fact]
    public void Eia_is_identified_by_its_request()
    {
        var request = HexBytes.Format(RtuRequest.ReadInputRegisters(0x00, 0x2000, 0x1A).Encode());
        var result = DecodeSession.RunHex([request, CapturedEia]);

        Assert.Equal(("EIA", BlockSource.PairedRequest), (result.Items[1].Block, result.Items[1].BlockSource));
    }

    [Fact]
    public void A_lone_0x34_byte_reply_is_eia_because_its_first_registers_are_no_cell_voltages()
    {
        var item = Assert.Single(DecodeSession.RunHex([CapturedEia]).Items);

        Assert.Equal(("EIA", BlockSource.Content), (item.Block, item.BlockSource));
        Assert.Equal(52.86, item.Fields.Single(f => f.Key == "system_voltage").Value);
        Assert.Contains(item.Notes, n => n.Contains("not PIB", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lone_standby_coil_reply_fits_eic_and_sfa_so_it_is_ambiguous_and_shown_as_both()
    {
        var item = Assert.Single(DecodeSession.RunHex([CapturedEic]).Items);

        Assert.Null(item.Block);
        Assert.Empty(item.ActiveFlags);
        Assert.Equal(["SFA", "EIC"], item.Ambiguous.Select(a => a.Block));
        Assert.Equal(["system_standby", "system_discharge_fet_on", "system_charge_fet_on"], item.Ambiguous[1].ActiveFlags.Select(f => f.Key));
        Assert.Contains(item.Notes, n => n.StartsWith("ambiguous", StringComparison.Ordinal));
        Assert.Equal(1, DecodeSession.RunHex([CapturedEic]).Summary.AmbiguousFrames);
    }

    [Fact]
    public void Eic_from_the_capture_right_after_the_masters_eib_says_system_standby_with_both_fets_on()
    {
        var items = DecodeSession.RunHex([CapturedEia, CapturedEib, CapturedEic]).Items;

        Assert.Equal(["EIA", "EIB", "EIC"], items.Select(i => i.Block));
        Assert.Equal(BlockSource.PollSequence, items[2].BlockSource);
        Assert.Equal(["system_standby", "system_discharge_fet_on", "system_charge_fet_on"], items[2].ActiveFlags.Select(f => f.Key));
    }

    [Fact]
    public void The_masters_all_ones_coil_reply_is_sfa_by_content_with_settings_and_no_alarm()
    {
        var item = Assert.Single(DecodeSession.RunHex([CapturedSfa]).Items);

        Assert.Equal(("SFA", BlockSource.Content), (item.Block, item.BlockSource));
        Assert.Contains(item.Notes, n => n.Contains("not EIC: reserved system-state bits set (byte 0 = 0xFF)", StringComparison.Ordinal));
        Assert.All(item.ActiveFlags, f => Assert.Equal(FlagKind.Setting, f.Kind));
        Assert.Contains(item.ActiveFlags, f => f.Key == "cell_over_voltage_protection_enabled");
        // TB11 = 0x2F: bits 1 and 5 are reserved in the documents, so they are reported, not dropped.
        Assert.Equal([(5, 1), (5, 5)], item.UnknownBits.Select(b => (b.Byte, b.Bit)));
    }

    [Fact]
    public void Eib_from_the_capture_reads_its_named_registers_in_the_units_the_evidence_shows()
    {
        var item = DecodeSession.RunHex([CapturedEia, CapturedEib]).Items[1];

        Assert.Equal(("EIB", BlockSource.Length), (item.Block, item.BlockSource));
        string Display(string key) => item.Fields.Single(f => f.Key == key).Display;
        Assert.Equal(("3.304", "3.304", "52.86"), (Display("eib_max_cell_voltage"), Display("eib_min_cell_voltage"), Display("eib_max_pack_voltage")));
        // 229/221/225 = PIB's 22.9/22.1 °C: 0.1 °C, not 0.1 K (which would be about −250 °C).
        Assert.Equal(("22.9", "22.1", "22.5"), (Display("eib_max_cell_temp"), Display("eib_min_cell_temp"), Display("eib_average_cell_temp")));
        Assert.All(item.Fields, f => Assert.True(f.Uncertain, f.Key));
    }

    [Fact]
    public void Spa_halves_are_told_apart_by_their_requests()
    {
        var payload = new byte[0x6A];
        payload[2] = 0x0A; // register 0x1336 (second of the half at 0x1335) = 0x0AAB = 2731 = 0.0 °C
        payload[3] = 0xAB;
        var response = HexBytes.Format(Frames.Sealed([0x00, 0x04, 0x6A, .. payload]));
        var request = HexBytes.Format(RtuRequest.ReadInputRegisters(0x00, 0x1335, 0x35).Encode());

        var paired = DecodeSession.RunHex([request, response]).Items[1];
        var lone = Assert.Single(DecodeSession.RunHex([response]).Items);

        Assert.Equal(("SPA", (ushort?)0x1335), (paired.Block, paired.StartRegister));
        Assert.Equal("0.0", paired.Fields.Single(f => f.Key == "charge_under_temperature_protection").Display);
        Assert.DoesNotContain(paired.Fields, f => f.Key == "ntc_count");
        Assert.Null(lone.Block);
        Assert.Contains(lone.Notes, n => n.Contains("0x1300", StringComparison.Ordinal) && n.Contains("0x1335", StringComparison.Ordinal));
    }

    [Fact]
    public void A_write_request_shows_the_values_written_through_the_map()
    {
        var write = HexBytes.Format(RtuRequest.WriteRegisters(0x00, 0x1305, [5760]).Encode());

        var item = Assert.Single(DecodeSession.RunHex([write]).Items);

        Assert.Equal((InterpretedKind.Request, "SPA"), (item.Kind, item.Block));
        var field = Assert.Single(item.Fields);
        Assert.Equal(("battery_over_voltage_protection", "57.60", "V"), (field.Key, field.Display, field.Unit));
    }

    [Fact]
    public void An_exception_names_its_code_and_the_block_of_its_request()
    {
        var request = HexBytes.Format(RtuRequest.ReadCoils(0x00, 0x1200, 0x90).Encode());
        var result = DecodeSession.RunHex([request, "00 81 02 90 51"]);

        var exception = result.Items[1];
        Assert.Equal(InterpretedKind.ExceptionResponse, exception.Kind);
        Assert.Equal((byte?)0x02, exception.ExceptionCode);
        Assert.Contains("illegal data address", exception.ExceptionMeaning, StringComparison.Ordinal);
        Assert.Equal("PIC", exception.Block);
        Assert.Equal(1, result.Summary.PairedResponses);
    }

    [Fact]
    public void A_frame_with_a_bad_crc_is_shown_for_what_it_would_say_and_marked_bad()
    {
        var damaged = Frames.Hex(Frames.PiaResponse);
        damaged[^1] ^= 0xFF;

        var result = DecodeSession.RunHex([HexBytes.Format(damaged)]);

        var item = Assert.Single(result.Items);
        Assert.False(item.CrcOk);
        Assert.Equal((InterpretedKind.Response, "PIA"), (item.Kind, item.Block));
        Assert.Contains(item.Notes, n => n.StartsWith("CRC error", StringComparison.Ordinal));
        Assert.Equal((0L, 0L, 41L), (result.Summary.ValidFrames, result.Summary.IdentifiedFrames, result.Summary.BadBytes));
    }

    [Fact]
    public void Garbage_is_reported_as_bad_bytes_with_their_hex()
    {
        var item = Assert.Single(DecodeSession.RunHex(["FF FE 00 12"]).Items);

        Assert.Equal((InterpretedKind.BadBytes, 4, "FF FE 00 12", false), (item.Kind, item.Length, item.Hex, item.CrcOk));
    }
}
