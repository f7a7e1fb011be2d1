using Microsoft.Extensions.Time.Testing;
using SeplosConsole.Seplos;
using SeplosConsole.Services.Recording;
using SeplosConsole.Simulation;

namespace SeplosConsole.Tests.Recording;

/// <summary>Recordings made from a simulated pack stepped on a test clock, without a bus.</summary>
internal static class RecordingSamples
{
    public static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Polls of a simulated pack every <paramref name="interval"/>: PIA, PIB, PIC a few
    /// milliseconds apart, SPA/VIA/PCT with the first, as the poller reads them.
    /// </summary>
    public static IEnumerable<(byte Address, IReadOnlyList<BlockReading> Blocks)> Polls(int count, TimeSpan interval, SimulatorOptions? options = null, byte[]? addresses = null)
    {
        addresses ??= [0];
        var clock = new FakeTimeProvider(Start);
        var simulator = new BmsSimulator((options ?? new SimulatorOptions()) with { Addresses = addresses }, clock);
        for (var poll = 0; poll < count; poll++)
        {
            foreach (var address in addresses)
            {
                var pack = simulator.Pack(address);
                pack.Update();
                var at = clock.GetUtcNow();
                IEnumerable<BlockId> blocks = poll == 0 ? [.. SeplosMap.LiveBlocks, .. SeplosMap.SlowBlocks] : SeplosMap.LiveBlocks;
                yield return (address, [.. blocks.Select((b, i) => new BlockReading(b, pack.Image(b), at.AddMilliseconds(37 * i)))]);
            }
            clock.Advance(interval);
        }
    }

    public static byte[] Write(IEnumerable<(byte Address, IReadOnlyList<BlockReading> Blocks)> polls)
    {
        var stream = new MemoryStream();
        using (var writer = new RecordingWriter(stream, ownsStream: false))
        {
            foreach (var (address, blocks) in polls)
            {
                writer.Write(address, blocks);
            }
        }
        return stream.ToArray();
    }

    public static List<RecordedUpdate> Read(byte[] bytes, out RecordingReader reader)
    {
        reader = new RecordingReader();
        var result = new List<RecordedUpdate>();
        var enumerator = reader.ReadAsync(new MemoryStream(bytes)).GetAsyncEnumerator();
        while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
        {
            result.Add(enumerator.Current);
        }
        return result;
    }

    /// <summary>Block, payload and read time (to the millisecond, as recorded) of each block of each update.</summary>
    public static string Describe(byte address, IEnumerable<BlockReading> blocks)
        => $"{address}: " + string.Join(" ", blocks.Select(b => $"{b.Block}@{b.ReadAt.ToUnixTimeMilliseconds()}={Convert.ToHexString(b.Payload.Span)}"));
}
