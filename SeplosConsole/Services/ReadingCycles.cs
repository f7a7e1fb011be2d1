using SeplosConsole.Seplos;

namespace SeplosConsole.Services;

/// <summary>
/// Turns a feed's updates into one reading per pack per cycle, for <c>seplos watch</c>. The poller
/// publishes once a poll (its first poll twice: live blocks early, then all); a listener publishes once per block heard, so there a cycle ends when a
/// block comes round again: the status before that block is the cycle's reading (every block of
/// the cycle in, none twice). States other than online are passed on when they change.
/// Not thread-safe: call from one place (the caller serialises the feed's events).
/// </summary>
public sealed class ReadingCycles(bool perBlockUpdates)
{
    private sealed class PackCycle
    {
        public HashSet<BlockId> Seen { get; } = [];
        public PackStatus? Pending { get; set; }
        public PackLinkState? LastState { get; set; }
        public int Wraps { get; set; }
    }

    private readonly Dictionary<byte, PackCycle> _packs = [];

    /// <summary>The readings this update completes (none, or one).</summary>
    public IReadOnlyList<PackStatus> Add(PackStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (!_packs.TryGetValue(status.Address, out var cycle))
        {
            _packs[status.Address] = cycle = new PackCycle();
        }
        if (status.State != PackLinkState.Online)
        {
            var changed = cycle.LastState != status.State;
            cycle.LastState = status.State;
            cycle.Seen.Clear();
            cycle.Pending = null;
            cycle.Wraps = 0;
            return changed && status.State != PackLinkState.Connecting ? [status] : [];
        }
        var first = cycle.LastState != PackLinkState.Online && cycle.Pending is null;
        cycle.LastState = status.State;
        if (!perBlockUpdates)
        {
            cycle.Pending = status;
            // The poller's very first poll publishes the live blocks early, then again with the
            // slow ones (BusPoller): print that poll once, whole.
            return first && !SeplosMap.SlowBlocks.Any(status.Snapshot.Has) ? [] : [status];
        }

        var previous = cycle.Pending?.Snapshot;
        var fresh = status.Snapshot.Blocks
            .Where(b => previous is null || !previous.Blocks.TryGetValue(b.Key, out var old) || old.ReadAt != b.Value.ReadAt)
            .Select(b => b.Key)
            .ToList();
        IReadOnlyList<PackStatus> done = [];
        if (cycle.Pending is { } pending && fresh.Any(cycle.Seen.Contains))
        {
            // Listening starts mid-cycle, and a master may repeat a block before the next one
            // (sp05b: PIB twice, then PIC): the first cycle can lack blocks, so it is not printed.
            done = cycle.Wraps++ == 0 ? [] : [pending];
            cycle.Seen.Clear();
        }
        cycle.Seen.UnionWith(fresh);
        cycle.Pending = status;
        return done;
    }
}
