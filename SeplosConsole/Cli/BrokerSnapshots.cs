using System.Globalization;
using SeplosConsole.Config;
using SeplosConsole.Mqtt;
using SeplosConsole.Services;

namespace SeplosConsole.Cli;

/// <summary>Where a reading from the broker came from, and how it stood when it was printed.</summary>
/// <param name="Bridge">The bridge's prefix.</param>
/// <param name="BridgeAddress">The pack's address on that bridge's bus (the number here may differ: docs/mqtt.md).</param>
/// <param name="Reason">Why it is stale (bridge offline, no reading for a while); null when current.</param>
public sealed record RemoteOrigin(string Bridge, byte BridgeAddress, DateTimeOffset? ReadAt, bool Stale, string? Reason)
{
    public TimeSpan? AgeAt(DateTimeOffset now) => ReadAt is { } read ? now - read : null;

    /// <summary>"bridge garage (its pack 0), read 0.4 s ago" and, when stale, "…, STALE: bridge garage is offline".</summary>
    public string Describe(DateTimeOffset now)
    {
        var age = AgeAt(now) is { } a ? $"read {a.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s ago" : "never read";
        var line = $"bridge {Bridge} (its pack {BridgeAddress}), {age}";
        return Stale ? $"{line}, STALE: {Reason}" : line;
    }

    /// <summary>For a pack of a broker feed; null when the feed does not know the pack.</summary>
    public static RemoteOrigin? Of(BrokerFeed feed, PackStatus status)
    {
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(status);
        if (feed.Remote(status.Address) is not { } remote)
        {
            return null;
        }
        // The feed marks a pack stale when its bridge's offline arrives; this sees it even if the
        // bridge's state came in between (retained messages arrive one after the other).
        var bridgeOffline = feed.BridgeOnline(remote.Bridge) == false;
        var stale = status.State != PackLinkState.Online || bridgeOffline;
        var reason = status.State != PackLinkState.Online ? status.LastError ?? status.State.ToString().ToLowerInvariant()
            : bridgeOffline ? $"bridge {remote.Bridge} is offline" : null;
        return new RemoteOrigin(remote.Bridge, remote.Address, status.Snapshot.UpdatedAt, stale, reason);
    }
}

/// <summary>
/// The one-shot reads (show, all) from a broker: connects (a broker that cannot be reached is one
/// line and exit 1, within the connect time-out, never a retry loop), then waits for the retained
/// snapshot of each pack asked for, up to <see cref="SnapshotDeadline"/> from the connection.
/// </summary>
internal sealed class BrokerSnapshots : IAsyncDisposable
{
    /// <summary>
    /// How long to wait for the packs' snapshots. A bridge's retained snapshot arrives within
    /// milliseconds of subscribing; only a bridge that has just started has none yet, and its first
    /// poll of a few packs takes about a second.
    /// </summary>
    public static TimeSpan SnapshotDeadline { get; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after a pack's snapshot its bridge's online/offline may still come: retained
    /// messages arrive one by one, and a stale pack must not be printed as current.
    /// </summary>
    private static readonly TimeSpan BridgeStateGrace = TimeSpan.FromSeconds(1);

    private readonly BrokerFeed _feed;
    private readonly CancellationTokenSource _stop;
    private readonly SemaphoreSlim _changed = new(0);
    private Task _running = Task.CompletedTask;
    private DateTimeOffset _deadline;

    private BrokerSnapshots(BrokerFeed feed, CancellationToken cancellationToken)
    {
        _feed = feed;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _feed.PackUpdated += (_, _) => Signal();
        _feed.Event += (_, _) => Signal();
    }

    public BrokerFeed Feed => _feed;

    public static async Task<BrokerSnapshots> OpenAsync(SeplosSettings settings, CancellationToken cancellationToken)
    {
        var (feed, options) = RemoteBus.Open(settings);
        var reader = new BrokerSnapshots(feed, cancellationToken);
        try
        {
            await reader.ConnectAsync(options.ConnectTimeout).ConfigureAwait(false);
        }
        catch
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return reader;
    }

    private async Task ConnectAsync(TimeSpan connectTimeout)
    {
        var outcome = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _feed.ConnectionChanged += (_, status) =>
        {
            if (status.State == MqttConnectionState.Connected)
            {
                outcome.TrySetResult(null);
            }
            else if (status is { State: MqttConnectionState.Disconnected, LastError: { } error })
            {
                outcome.TrySetResult(error);
            }
        };
        _running = _feed.RunAsync(_stop.Token);
        // The loop gives up an attempt after the connect time-out; the extra second is for its report.
        string? failure;
        try
        {
            failure = await outcome.Task.WaitAsync(connectTimeout + TimeSpan.FromSeconds(1), _stop.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            failure = $"no connection to {_feed.LinkName} within {connectTimeout.TotalSeconds:0} s";
        }
        if (failure is not null)
        {
            throw new CliException($"MQTT: {failure}");
        }
        _deadline = DateTimeOffset.UtcNow + SnapshotDeadline;
    }

    /// <summary>
    /// The pack's status once its bridge's snapshot with readings is in (and its bridge's state, or
    /// a second more), or what is known at the deadline: null when nothing, a status without
    /// blocks when its bridge has published it but never read it.
    /// </summary>
    public async Task<PackStatus?> WaitForAsync(byte address, CancellationToken cancellationToken)
    {
        DateTimeOffset? foundAt = null;
        while (true)
        {
            var now = DateTimeOffset.UtcNow;
            var status = _feed.AllStatus.FirstOrDefault(s => s.Address == address);
            if (status is { Snapshot.Blocks.Count: > 0 } && _feed.Remote(address) is { } remote)
            {
                foundAt ??= now;
                if (_feed.BridgeOnline(remote.Bridge) is not null || now - foundAt >= BridgeStateGrace || now >= _deadline)
                {
                    // Read again: the bridge's state may have turned it stale meanwhile.
                    return _feed.AllStatus.First(s => s.Address == address);
                }
            }
            else if (now >= _deadline)
            {
                return status;
            }
            // Woken by the feed; the short period also covers the bridge state, which raises nothing.
            await _changed.WaitAsync(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }
    }

    private void Signal()
    {
        if (_changed.CurrentCount == 0)
        {
            _changed.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            // Stopping: the viewer publishes nothing, so there is nothing to finish.
        }
        _stop.Dispose();
        _changed.Dispose();
    }
}
