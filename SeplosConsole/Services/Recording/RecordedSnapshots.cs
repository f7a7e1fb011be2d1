using System.Runtime.CompilerServices;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Recording;

/// <summary>
/// A recording as the packs' snapshots after each update, merged and decoded as the poller does,
/// without waiting (for report and export; <see cref="ReplayFeed"/> adds the pace).
/// </summary>
public static class RecordedSnapshots
{
    public static async IAsyncEnumerable<(RecordedUpdate Update, PackSnapshot Snapshot)> ReadAsync(
        Stream stream, RecordingReader reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var packs = new Dictionary<byte, PackSnapshot>();
        await foreach (var update in reader.ReadAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            var snapshot = (packs.TryGetValue(update.Address, out var known) ? known : PackSnapshot.Empty(update.Address)).With(update.Blocks);
            packs[update.Address] = snapshot;
            yield return (update, snapshot);
        }
    }
}
