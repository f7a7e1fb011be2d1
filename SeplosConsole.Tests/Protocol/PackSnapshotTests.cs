using CsCheck;
using SeplosConsole.Seplos;

namespace SeplosConsole.Tests.Protocol;

public sealed class PackSnapshotTests
{
    private static readonly DateTimeOffset ReadAt = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static BlockReading Reading(RegisterBlock block, byte[] bytes)
    {
        var length = block.IsCoils ? block.RegisterCount : block.RegisterCount * 2;
        var payload = new byte[length];
        bytes.AsSpan(0, Math.Min(bytes.Length, length)).CopyTo(payload);
        return new BlockReading(block.Id, payload, ReadAt);
    }

    // A history record (HIA) never enters a snapshot: see A_history_record_is_not_merged_into_a_snapshot.
    private static readonly RegisterBlock[] SnapshotBlocks = [.. SeplosMap.Blocks.Where(b => b.Id != BlockId.Hia)];

    private static readonly Gen<BlockReading> GenReading =
        Gen.Select(Gen.Int[0, SnapshotBlocks.Length - 1], Gen.Byte.Array[0, 256])
            .Select((index, bytes) => Reading(SnapshotBlocks[index], bytes));

    [Fact]
    public void A_history_record_is_not_merged_into_a_snapshot()
    {
        var pib = SeplosMap.Block(BlockId.Pib);
        var live = PackSnapshot.Empty(0).With(Reading(pib, Enumerable.Repeat((byte)0x0C, pib.RegisterCount * 2).ToArray()));
        var hia = SeplosMap.Block(BlockId.Hia);

        var after = live.With(Reading(hia, new byte[hia.RegisterCount * 2]));

        Assert.Equal(live.Value("cell_1"), after.Value("cell_1"));
        Assert.False(after.Has(BlockId.Hia));
    }

    [Fact]
    public void Merging_readings_one_poll_at_a_time_equals_decoding_the_last_reading_of_each_block_at_once()
    {
        // Blocks are read again and again; each merge decodes only the new ones. Whatever the order
        // and grouping, the result must be what the newest reading of every block says.
        GenReading.Array[1, 6].Array[1, 8].Sample(polls =>
        {
            var merged = PackSnapshot.Empty(3);
            foreach (var poll in polls)
            {
                merged = merged.With(poll);
            }
            var newest = polls.SelectMany(p => p).GroupBy(r => r.Block).Select(g => g.Last()).ToArray();
            var atOnce = PackSnapshot.Empty(3).With(newest);

            Assert.Equal(atOnce.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (f.Key, f.Value.Raw, f.Value.Value, f.Value.Text)),
                merged.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (f.Key, f.Value.Raw, f.Value.Value, f.Value.Text)));
            Assert.Equal(atOnce.Flags.OrderBy(f => f.Key, StringComparer.Ordinal), merged.Flags.OrderBy(f => f.Key, StringComparer.Ordinal));
            Assert.Equal(newest.Length, merged.Blocks.Count);
        });
    }

    [Fact]
    public void A_merge_leaves_the_snapshot_it_started_from_unchanged()
    {
        var pic = SeplosMap.Block(BlockId.Pic);
        var allOff = PackSnapshot.Empty(0).With(Reading(pic, new byte[pic.RegisterCount]));
        var allOn = allOff.With(Reading(pic, Enumerable.Repeat((byte)0xFF, pic.RegisterCount).ToArray()));

        Assert.All(allOff.Flags, flag => Assert.False(flag.Value));
        Assert.All(allOn.Flags, flag => Assert.True(flag.Value));
        Assert.Equal(allOff.Flags.Count, allOn.Flags.Count);
    }

    [Fact]
    public void Power_and_cell_delta_follow_the_newest_readings()
    {
        var pia = SeplosMap.Block(BlockId.Pia);
        var pib = SeplosMap.Block(BlockId.Pib);
        static byte[] Encode(RegisterBlock block, Dictionary<string, double> values)
        {
            var payload = new byte[block.RegisterCount * 2];
            foreach (var field in SeplosMap.FieldsOf(block.Id).Where(f => values.ContainsKey(f.Key)))
            {
                SeplosCodec.EncodeValue(field, values[field.Key], payload);
            }
            return payload;
        }

        var first = PackSnapshot.Empty(0)
            .With(Reading(pia, Encode(pia, new() { ["pack_voltage"] = 52.0, ["current"] = 10.0 })))
            .With(Reading(pib, Encode(pib, new() { ["cell_1"] = 3.300, ["cell_2"] = 3.310 })));
        var second = first
            .With(Reading(pia, Encode(pia, new() { ["pack_voltage"] = 53.0, ["current"] = -20.0 })))
            .With(Reading(pib, Encode(pib, new() { ["cell_1"] = 3.300, ["cell_2"] = 3.350 })));

        Assert.Equal(520.0, first.Value("power"));
        Assert.Equal(0.010, first.Value("cell_delta")!.Value, 3);
        Assert.Equal(-1060.0, second.Value("power"));
        Assert.Equal(0.050, second.Value("cell_delta")!.Value, 3);
    }
}
