using SeplosConsole.Seplos;

namespace SeplosConsole.Tests.Protocol;

/// <summary>The register map is data; these checks keep it consistent.</summary>
public class SeplosMapTests
{
    [Fact]
    public void Keys_are_unique_across_fields_aliases_and_flags()
    {
        var names = SeplosMap.Fields.SelectMany(f => f.Aliases.Prepend(f.Key)).Concat(SeplosMap.Flags.Select(f => f.Key));

        var duplicates = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key);

        Assert.Empty(duplicates);
    }

    [Fact]
    public void Register_fields_of_a_block_do_not_overlap_and_stay_inside_it()
    {
        foreach (var block in SeplosMap.Blocks.Where(b => !b.IsCoils))
        {
            var used = new string?[block.Count];
            foreach (var field in SeplosMap.FieldsOf(block.Id))
            {
                Assert.True(field.Offset >= 0 && field.Offset + field.Registers <= block.Count, $"{field.Key} lies outside {block.Name}");
                Assert.Equal((ushort)(block.Start + field.Offset), field.Address);
                for (var register = field.Offset; register < field.Offset + field.Registers; register++)
                {
                    Assert.True(used[register] is null, $"{field.Key} overlaps {used[register]} in {block.Name}");
                    used[register] = field.Key;
                }
            }
        }
    }

    [Fact]
    public void Every_writable_field_has_a_representable_range()
    {
        Assert.NotEmpty(SeplosMap.WritableParameters);
        foreach (var field in SeplosMap.WritableParameters)
        {
            Assert.True(field.Min is not null && field.Max is not null, $"{field.Key} has no range");
            Assert.True(field.Min < field.Max, $"{field.Key}: min {field.Min} is not below max {field.Max}");
            Assert.NotNull(field.ToRaw(field.Min!.Value));
            Assert.NotNull(field.ToRaw(field.Max!.Value));
            Assert.False(field.Uncertain, $"{field.Key} is uncertain and must not be writable");
            Assert.Equal(BlockId.Spa, field.Block);
        }
    }

    [Fact]
    public void Flags_of_a_block_do_not_collide_and_stay_inside_it()
    {
        foreach (var group in SeplosMap.Flags.GroupBy(f => f.Block))
        {
            var block = SeplosMap.Block(group.Key);
            Assert.True(block.IsCoils, $"flags in register block {block.Name}");
            Assert.All(group, f => Assert.InRange(f.Bit, 0, block.Count - 1));
            Assert.Empty(group.GroupBy(f => f.Bit).Where(g => g.Count() > 1).Select(g => string.Join(", ", g.Select(f => f.Key))));
        }
    }

    [Fact]
    public void Every_named_pic_bit_of_the_reference_exists_and_reserved_bits_do_not()
    {
        // PIC bytes 8–17 (register reference, PIC): bits named in TB09, TB02, TB03, TB04, TB05,
        // TB16, TB06, TB07, TB08, TB15, in that byte order; the others are "—".
        int[][] namedBits =
        [
            [0, 1, 2, 3, 4, 5],             // 8  TB09 system state
            [0, 1, 2, 3, 4, 5, 6, 7],       // 9  TB02 voltage
            [0, 1, 2, 3, 4, 5, 6, 7],       // 10 TB03 cell temperature
            [0, 1, 2, 3, 4, 5, 6],          // 11 TB04 environment/power
            [0, 1, 2, 3, 4, 5, 6],          // 12 TB05 current 1
            [0, 2, 3],                      // 13 TB16 current 2
            [2, 3, 4],                      // 14 TB06 capacity
            [0, 1, 2, 3],                   // 15 TB07 FET
            [0, 1, 2, 3, 4, 5, 6, 7],       // 16 TB08 state (disputed)
            [0, 1, 2, 3, 4, 5, 6, 7],       // 17 TB15 hardware faults
        ];
        var picBits = SeplosMap.FlagsOf(BlockId.Pic).Select(f => f.Bit).ToHashSet();
        for (var index = 0; index < namedBits.Length; index++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var coil = ((8 + index) * 8) + bit;
                Assert.True(namedBits[index].Contains(bit) == picBits.Contains(coil), $"PIC byte {8 + index} bit {bit}");
            }
        }
        // Bytes 0–7: one bit per cell (voltage alarms, balancing) or sensor (temperature alarms).
        Assert.All(Enumerable.Range(0, 64), coil => Assert.Contains(coil, picBits));
        Assert.True(SeplosMap.FlagsOf(BlockId.Pic).Where(f => f.ByteIndex == 16).All(f => f.Uncertain));
    }

    [Fact]
    public void Standby_and_fet_flags_sit_where_the_vendor_pic_example_puts_them()
    {
        // S1: byte 8 = 0x10 is standby, byte 15 = 0x03 is charge + discharge FET on.
        Assert.Equal((8 * 8) + 4, SeplosMap.FindFlag("standby")!.Bit);
        Assert.Equal(15 * 8, SeplosMap.FindFlag("discharge_fet_on")!.Bit);
        Assert.Equal((15 * 8) + 1, SeplosMap.FindFlag("charge_fet_on")!.Bit);
    }

    [Theory]
    [InlineData("pack_voltage", "pack_voltage")]
    [InlineData("Pack-Voltage", "pack_voltage")]
    [InlineData(" pack voltage ", "pack_voltage")]
    [InlineData("stand-by_time", "stand-by_time")]
    [InlineData("standby-time", "stand-by_time")]
    public void Fields_are_found_as_people_type_them(string typed, string key)
        => Assert.Equal(key, SeplosMap.FindField(typed)?.Key);

    [Fact]
    public void Flags_are_found_with_dashes_too()
        => Assert.Equal(SeplosMap.Flags[0].Key, SeplosMap.FindFlag(SeplosMap.Flags[0].Key.Replace('_', '-').ToUpperInvariant())?.Key);

    [Fact]
    public void System_state_is_the_pic_byte_of_table_tb09_and_the_pack_states_include_it()
    {
        // PIC byte 8 is TB09; the six named bits, in bit order (bits 6 and 7 are reserved).
        Assert.Equal(["discharging", "charging", "floating_charge", "full_charge", "standby", "turned_off"],
            SeplosMap.SystemStateFlags.Select(f => f.Key));
        Assert.All(SeplosMap.SystemStateFlags, f => Assert.Equal((BlockId.Pic, 8), (f.Block, f.Bit / 8)));

        Assert.Subset(SeplosMap.PackStateFlags.ToHashSet(), SeplosMap.SystemStateFlags.ToHashSet());
        Assert.Contains(SeplosMap.PackStateFlags, f => f.Key == "cell_heating");
        Assert.All(SeplosMap.PackStateFlags, f => Assert.Equal((BlockId.Pic, FlagKind.State), (f.Block, f.Kind)));
    }
}
