using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Services.Recording;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Recording;

/// <summary>[record] path: a file per local day, finished days gzipped and still readable.</summary>
public sealed class DailyRecordingTests
{
    private static async Task<List<RecordedUpdate>> ReadAsync(string path)
    {
        var result = new List<RecordedUpdate>();
        var stream = RecordingReader.OpenFile(path);
        await using (stream)
        {
            await foreach (var update in new RecordingReader().ReadAsync(stream))
            {
                result.Add(update);
            }
        }
        return result;
    }

    [Fact]
    public async Task Crossing_midnight_starts_the_next_day_file_and_gzips_the_finished_one()
    {
        var directory = TempDirectory.Create();
        var problems = new List<string>();
        // Local midnight, whatever the machine's time zone.
        var midnight = new DateTimeOffset(new DateTime(2026, 12, 2, 0, 0, 0, DateTimeKind.Local));
        var polls = RecordingSamples.Polls(20, TimeSpan.FromSeconds(1)).ToList();
        var sink = new DailyRecording(Path.Combine(directory, "pack.rec"), (_, m) => problems.Add(m), midnight.AddSeconds(-10));
        for (var i = 0; i < polls.Count; i++)
        {
            var at = midnight.AddSeconds(i - 10);
            sink.Write(0, [.. polls[i].Blocks.Select(b => b with { ReadAt = at })]);
        }
        await sink.DisposeAsync();

        var finished = Path.Combine(directory, "pack-2026-12-01.rec.gz");
        var today = Path.Combine(directory, "pack-2026-12-02.rec");
        Assert.Equal([finished, today], Directory.GetFiles(directory).Order());
        Assert.Equal(10, (await ReadAsync(finished)).Count);
        Assert.Equal(10, (await ReadAsync(today)).Count);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Days_a_stopped_program_left_uncompressed_are_gzipped_at_start()
    {
        var directory = TempDirectory.Create();
        var left = Path.Combine(directory, "pack-2026-11-30.rec");
        await File.WriteAllBytesAsync(left, RecordingSamples.Write(RecordingSamples.Polls(5, TimeSpan.FromSeconds(1))));

        var sink = new DailyRecording(Path.Combine(directory, "pack.rec"), (_, _) => { }, new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        await sink.DisposeAsync();

        Assert.False(File.Exists(left));
        Assert.Equal(5, (await ReadAsync(left + ".gz")).Count);
    }
}
