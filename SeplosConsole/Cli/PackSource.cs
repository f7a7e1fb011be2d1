using SeplosConsole.Config;
using SeplosConsole.Mqtt;
using SeplosConsole.Seplos;

namespace SeplosConsole.Cli;

/// <summary>A pack's reading for a one-shot command, and where it came from when not from the bus.</summary>
/// <param name="Origin">The bridge and age when read from a broker; null when the pack was asked on the bus.</param>
internal sealed record PackRead(PackSnapshot Snapshot, RemoteOrigin? Origin)
{
    /// <summary>Not a current reading: shown, and the command ends partial (exit 3).</summary>
    public bool IsStale => Origin?.Stale == true;
}

/// <summary>
/// Where show and all get a pack: the bus (asked now) or a broker (the last snapshot its bridge
/// published, decoded through the same map). Either way a <see cref="PackSnapshot"/>, so the
/// output is the same; from a broker it also says which bridge and how old.
/// </summary>
internal sealed class PackSource : IAsyncDisposable
{
    private readonly BusSession? _bus;
    private readonly BrokerSnapshots? _broker;
    private readonly CliContext _context;

    private PackSource(BusSession? bus, BrokerSnapshots? broker, CliContext context)
    {
        _bus = bus;
        _broker = broker;
        _context = context;
    }

    public static async Task<PackSource> OpenAsync(SeplosSettings settings, CliContext context, CancellationToken cancellationToken)
    {
        BusSession.RefuseRecording(settings);
        // A recording played back wins over the port, as for the dashboard (LiveBus).
        return BrokerAddress.IsBroker(settings.Port) && settings.ReplayFile is null
            ? new PackSource(null, await BrokerSnapshots.OpenAsync(settings, cancellationToken).ConfigureAwait(false), context)
            : new PackSource(await BusSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false), null, context);
    }

    /// <summary>
    /// The pack's reading of these blocks (what it gives; see <see cref="BusSession.ReadAvailableAsync"/>),
    /// or from a broker its bridge's snapshot with the blocks it lacks named as missing. Null, said
    /// in one line on stderr, when the broker has no reading of the pack.
    /// </summary>
    public async Task<PackRead?> ReadAsync(byte address, IReadOnlyCollection<BlockId> blocks, CancellationToken cancellationToken, IEnumerable<BlockId>? optional = null)
    {
        if (_bus is not null)
        {
            return new PackRead(await _bus.ReadAvailableAsync(address, blocks, cancellationToken, optional).ConfigureAwait(false), null);
        }
        var status = await _broker!.WaitForAsync(address, cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            _context.Error.WriteLine($"error: pack {address}: no snapshot on {_broker.Feed.LinkName} within {BrokerSnapshots.SnapshotDeadline.TotalSeconds:0} s (is a `seplos mqtt` bridge polling it?)");
            return null;
        }
        var origin = RemoteOrigin.Of(_broker.Feed, status)!;
        if (status.Snapshot.Blocks.Count == 0)
        {
            _context.Error.WriteLine($"error: pack {address}: bridge {origin.Bridge} has no reading of it ({status.State.ToString().ToLowerInvariant()}{(status.LastError is { } error ? $": {error}" : "")})");
            return null;
        }
        var snapshot = status.Snapshot;
        foreach (var block in blocks.Where(b => !snapshot.Has(b)))
        {
            // As a gap, like a block the pack refused: never a value in its place.
            snapshot = snapshot.WithMissing(block, $"not in the snapshot of bridge {origin.Bridge}");
        }
        if (origin.Stale)
        {
            _context.Error.WriteLine($"warning: pack {address}: {origin.Describe(DateTimeOffset.UtcNow)}");
        }
        return new PackRead(snapshot, origin);
    }

    public async ValueTask DisposeAsync()
    {
        if (_bus is not null)
        {
            await _bus.DisposeAsync().ConfigureAwait(false);
        }
        if (_broker is not null)
        {
            await _broker.DisposeAsync().ConfigureAwait(false);
        }
    }
}
