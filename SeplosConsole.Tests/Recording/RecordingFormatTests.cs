using CsCheck;
using Xunit.Abstractions;
using SeplosConsole.Seplos;
using SeplosConsole.Services.Recording;

namespace SeplosConsole.Tests.Recording;

/// <summary>The recording format: what is written reads back, cut or torn files, size per poll.</summary>
public sealed class RecordingFormatTests(ITestOutputHelper output)
{
    private static readonly BlockId[] Blocks = [BlockId.Pia, BlockId.Pib, BlockId.Pic, BlockId.Spa];

    // A sequence of readings of random blocks: each a copy of the block's previous payload with a few
    // units changed by anything (small drifts, wraps through zero, whole new values), at random intervals.
    private static readonly Gen<List<(byte Address, BlockReading Reading)>> GenReadings =
        Gen.Select(Gen.Byte[0, 2], Gen.OneOfConst(Blocks), Gen.Int[0, 105].Array[0, 6], Gen.Int[-70000, 70000].Array[6], Gen.Int[-5, 5000])
            .Array[1, 40]
            .Select(steps =>
            {
                var payloads = new Dictionary<(byte, BlockId), byte[]>();
                var at = RecordingSamples.Start;
                var result = new List<(byte, BlockReading)>();
                foreach (var (address, block, units, changes, ms) in steps)
                {
                    var length = RecordingFormat.PayloadLength(block);
                    var payload = payloads.TryGetValue((address, block), out var previous) ? (byte[])previous.Clone() : new byte[length];
                    for (var i = 0; i < units.Length; i++)
                    {
                        var index = units[i] % length;
                        payload[index] = (byte)(payload[index] + changes[i]);
                    }
                    payloads[(address, block)] = payload;
                    at = at.AddMilliseconds(ms);
                    result.Add((address, new BlockReading(block, payload, at)));
                }
                return result;
            });

    [Fact]
    public void Any_sequence_of_block_readings_reads_back_as_it_was_written()
    {
        GenReadings.Sample(readings =>
        {
            var bytes = RecordingSamples.Write(readings.Select(r => (r.Address, (IReadOnlyList<BlockReading>)[r.Reading])));
            var read = RecordingSamples.Read(bytes, out var reader);

            Assert.Equal(0, reader.SkippedLines);
            Assert.Equal(
                readings.Select(r => RecordingSamples.Describe(r.Address, [r.Reading])),
                read.Select(u => RecordingSamples.Describe(u.Address, u.Blocks)));
        });
    }

    [Fact]
    public void A_recording_cut_at_any_byte_reads_every_update_whose_line_is_complete_and_nothing_else()
    {
        var bytes = RecordingSamples.Write(RecordingSamples.Polls(60, TimeSpan.FromSeconds(1), addresses: [0, 1]));
        var whole = RecordingSamples.Read(bytes, out _).Select(u => RecordingSamples.Describe(u.Address, u.Blocks)).ToList();

        Gen.Int[0, bytes.Length].Sample(cut =>
        {
            var read = RecordingSamples.Read(bytes[..cut], out var reader);
            // Lines ending before the cut, less the header.
            var completeLines = bytes.AsSpan(0, cut).Count((byte)'\n');
            var expected = whole.Take(Math.Max(0, completeLines - 1)).ToList();

            Assert.Equal(expected, read.Select(u => RecordingSamples.Describe(u.Address, u.Blocks)));
            Assert.Equal(cut > 0 && bytes[cut - 1] != (byte)'\n' ? 1 : 0, reader.SkippedLines);
        });
    }

    [Fact]
    public async Task Appending_to_a_recording_whose_last_line_was_torn_loses_only_that_line()
    {
        var path = Path.Combine(Support.TempDirectory.Create(), "torn.rec");
        var polls = RecordingSamples.Polls(20, TimeSpan.FromSeconds(1)).ToList();
        using (var writer = RecordingWriter.Append(path))
        {
            foreach (var (address, blocks) in polls[..10])
            {
                writer.Write(address, blocks);
            }
        }
        // A power cut in the middle of the 10th line.
        var length = new FileInfo(path).Length;
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.SetLength(length - 9);
        }
        using (var writer = RecordingWriter.Append(path))
        {
            foreach (var (address, blocks) in polls[10..])
            {
                writer.Write(address, blocks);
            }
        }

        var reader = new RecordingReader();
        var read = new List<string>();
        await using (var stream = RecordingReader.OpenFile(path))
        {
            await foreach (var update in reader.ReadAsync(stream))
            {
                read.Add(RecordingSamples.Describe(update.Address, update.Blocks));
            }
        }

        Assert.Equal(polls.Where((_, i) => i != 9).Select(p => RecordingSamples.Describe(p.Address, p.Blocks)), read);
        Assert.Equal(0, reader.SkippedLines);
    }

    [Fact]
    public void One_pack_polled_every_second_costs_less_than_10_MiB_a_day()
    {
        // Two hours of the simulator's 40-minute charge / rest / discharge / rest cycle, read as the
        // poller reads it (PIA, PIB, PIC every second); the budget is 10 MiB per pack per day.
        const int polls = 7200;
        var bytes = RecordingSamples.Write(RecordingSamples.Polls(polls, TimeSpan.FromSeconds(1)));
        var perPoll = (double)bytes.Length / polls;
        var perDay = perPoll * 86400;
        output.WriteLine($"{bytes.Length} bytes for {polls} polls: {perPoll:0.0} bytes per poll, {perDay / 1048576:0.00} MiB per day");

        Assert.True(perDay <= 10 * 1048576, $"{perDay / 1048576:0.00} MiB per day");
    }
}
