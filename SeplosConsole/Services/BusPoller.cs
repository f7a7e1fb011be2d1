using System.Collections.Concurrent;
using System.Threading.Channels;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Transport;

namespace SeplosConsole.Services;

/// <summary>
/// Owns the bus: polls every configured pack in turn and runs queued work (parameter writes)
/// between block reads, so a write waits at most for one block, never for a whole sweep, and
/// a poll never reads a block half before and half after a write. A silent pack backs off
/// without slowing the others; a lost adapter is reopened with back-off.
/// Events are raised on the bus task; front ends marshal them to their own thread.
/// </summary>
public sealed class BusPoller : IPackFeed
{
    private readonly SeplosClient _client;
    private readonly PollerOptions _options;
    private readonly TimeProvider _time;
    private readonly PollScheduler _scheduler;
    private readonly Channel<BusWork> _work = Channel.CreateUnbounded<BusWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<byte, PackStatus> _status = new();
    private readonly ConcurrentQueue<byte> _refreshRequests = new();
    private volatile bool _linkDown;
    private volatile bool _everConnected;
    private long _linkDrops;
    private long _reconnects;

    public BusPoller(SeplosClient client, PollerOptions options, TimeProvider? time = null)
    {
        _client = client;
        _options = options;
        _time = time ?? TimeProvider.System;
        _scheduler = new PollScheduler(options, _time);
        foreach (var address in options.Addresses.Distinct())
        {
            _status[address] = new PackStatus(address, PackLinkState.Connecting, PackSnapshot.Empty(address), null, null, client.Rtu.CountersFor(address).Snapshot());
        }
    }

    /// <summary>A pack's status changed or new values arrived.</summary>
    public event EventHandler<PackStatus>? PackUpdated;

    /// <summary>Connects, errors, recoveries: lines for a log.</summary>
    public event EventHandler<BusEvent>? Event;

    /// <summary>Each finished poll of a pack with its duration (for <c>seplos bench</c> and diagnostics).</summary>
    public event EventHandler<PollTiming>? Polled;

    public IReadOnlyList<byte> Addresses => _options.Addresses;
    public SeplosClient Client => _client;
    public PollerOptions Options => _options;
    public bool IsLinkDown => _linkDown;
    public string LinkName => _client.Rtu.Transport.Name;

    /// <summary>The poller transmits: writes go through <see cref="RunOnBusAsync{T}"/>.</summary>
    public bool IsListenOnly => false;

    /// <summary>Times an open link failed (adapter unplugged, gateway or simulator gone).</summary>
    public long LinkDrops => Interlocked.Read(ref _linkDrops);

    /// <summary>Times the link was opened again after a drop or a failed first open.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    public PackStatus Status(byte address) => _status[address];

    public IReadOnlyList<PackStatus> AllStatus => [.. _options.Addresses.Distinct().Select(a => _status[a])];

    /// <summary>
    /// Queues work that needs the bus (a write and its read-back). It runs on the bus task before
    /// the next block read. Fails with the work's own exception; cancelled with the poller.
    /// </summary>
    public Task<T> RunOnBusAsync<T>(Func<SeplosClient, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var item = new BusWork<T>(work, cancellationToken);
        if (!_work.Writer.TryWrite(item))
        {
            throw new InvalidOperationException("the poller has stopped");
        }
        return item.Task;
    }

    /// <summary>Re-read the slow blocks (SPA …) of a pack on its next poll, e.g. after a write.</summary>
    public void RefreshParameters(byte address)
    {
        // Called from any thread; the bus task applies it before its next poll.
        _refreshRequests.Enqueue(address);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!_client.Rtu.IsConnected && !await TryConnectAsync(cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }
                await DrainWorkAsync(cancellationToken).ConfigureAwait(false);
                if (_scheduler.NextDue() is not { } next)
                {
                    await WaitForWorkOrAsync(_scheduler.EarliestDue, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                await PollAsync(next, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Asked to stop: the loop ends here.
        }
        finally
        {
            _work.Writer.TryComplete();
            while (_work.Reader.TryRead(out var left))
            {
                left.Cancel();
            }
        }
    }

    private async Task<bool> TryConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.Rtu.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TransportException ex)
        {
            LinkLost(ex.Message, wasOpen: false);
            // Work queued while the adapter is gone fails now instead of waiting for it.
            await DrainWorkAsync(cancellationToken).ConfigureAwait(false);
            await WaitForWorkOrAsync(_time.GetUtcNow() + _scheduler.LinkFailed(), cancellationToken).ConfigureAwait(false);
            return false;
        }
        if (_linkDown || _everConnected)
        {
            Interlocked.Increment(ref _reconnects);
            Log(BusEventLevel.Info, null, $"{_client.Rtu.Transport.Name} is back");
        }
        else
        {
            Log(BusEventLevel.Info, null, $"connected to {_client.Rtu.Transport.Name}");
        }
        _linkDown = false;
        _everConnected = true;
        _scheduler.LinkRestored();
        return true;
    }

    private void LinkLost(string reason, bool wasOpen)
    {
        if (wasOpen)
        {
            Interlocked.Increment(ref _linkDrops);
        }
        if (!_linkDown)
        {
            _linkDown = true;
            Log(BusEventLevel.Error, null, reason);
            foreach (var address in _scheduler.Addresses)
            {
                Publish(_status[address] with { State = PackLinkState.Offline, LastError = reason, Counters = Counters(address) });
            }
        }
    }

    private async Task PollAsync(byte address, CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        var startedTimestamp = _time.GetTimestamp();
        var status = _status[address];
        // Merged into the snapshot once per poll (each merge copies the pack's values).
        var readings = new List<BlockReading>();
        var refused = new List<(BlockId Block, string Reason)>();
        PackSnapshot Merged()
        {
            var merged = readings.Count == 0 ? status.Snapshot : status.Snapshot.With(readings);
            foreach (var (block, reason) in refused)
            {
                merged = merged.WithMissing(block, reason);
            }
            return merged;
        }
        try
        {
            var blocks = _scheduler.BlocksFor(address);
            foreach (var block in blocks)
            {
                await DrainWorkAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    readings.Add(await ReadBlockAsync(address, block, cancellationToken).ConfigureAwait(false));
                    if (status.LastSuccess is null && block == SeplosMap.LiveBlocks[^1] && block != blocks[^1])
                    {
                        // The very first poll also reads the slow blocks (~250 ms more on the wire):
                        // show the live values as soon as they are in.
                        Publish(new PackStatus(address, PackLinkState.Online, Merged(), _time.GetUtcNow(), null, Counters(address)));
                    }
                }
                catch (PackRefusedException ex) when (ex.Code != ModbusExceptionCode.DeviceBusy
                    && (ex.Code.SaysNotThere() || !SeplosMap.LiveBlocks.Contains(block))
                    && (refused.Count + 1 < blocks.Count || readings.Count > 0))
                {
                    // A pack still busy or failing has not said it lacks a live block: that poll fails
                    // and the next asks again. A pack that refuses every block fails the poll as a silent one does.
                    if (!SeplosMap.LiveBlocks.Contains(block))
                    {
                        // An old firmware may lack PCT: stop asking.
                        _scheduler.MarkUnsupported(address, block);
                    }
                    if (SeplosMap.SystemBlocks.Contains(block))
                    {
                        // Every pack but the master of a parallel system refuses them: nothing is missing.
                        Log(BusEventLevel.Info, address, $"{SeplosMap.Block(block).Name} not available ({ex.Code.Describe()})");
                        continue;
                    }
                    // Every other reading goes on; the gap is named in the snapshot (front ends show it)
                    // and logged once, not on every poll.
                    refused.Add((block, ex.Message));
                    if (!status.Snapshot.Missing.Any(m => m.Block == block && m.WholeBlock))
                    {
                        Log(BusEventLevel.Warning, address, $"{SeplosMap.Block(block).Name} not read, the other readings go on: {ex.Message}");
                    }
                }
            }
            if (_scheduler.Failures(address) > 0 || status.State != PackLinkState.Online)
            {
                Log(BusEventLevel.Info, address, status.State == PackLinkState.Connecting ? "answering" : "answering again");
            }
            _scheduler.Answered(address, started);
            _scheduler.LinkAnswered();
            Polled?.Invoke(this, new PollTiming(address, _time.GetElapsedTime(startedTimestamp), true));
            Publish(new PackStatus(address, PackLinkState.Online, Merged(), _time.GetUtcNow(), null, Counters(address)));
        }
        catch (TransportException ex)
        {
            LinkLost(ex.Message, wasOpen: true);
            // The first drop is retried at once (an adapter that was unplugged may be back); a
            // link that drops again before anything answered waits 1 s, 2 s … like a failed open.
            _ = _scheduler.LinkFailed();
            if (_scheduler.LinkFailures > 1)
            {
                await WaitForWorkOrAsync(_time.GetUtcNow() + _scheduler.Backoff(_scheduler.LinkFailures - 1), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RtuException or PackRefusedException)
        {
            var outcome = _scheduler.Failed(address);
            var offline = outcome == PollOutcome.Offline;
            if (offline && status.State != PackLinkState.Offline)
            {
                Log(BusEventLevel.Error, address, $"offline: {ex.Message}");
            }
            else if (!offline)
            {
                Log(BusEventLevel.Warning, address, ex.Message);
            }
            Polled?.Invoke(this, new PollTiming(address, _time.GetElapsedTime(startedTimestamp), false));
            // Keep what was read: the front ends show the old values marked stale, never blank.
            Publish(new PackStatus(address, offline ? PackLinkState.Offline : PackLinkState.Stale, Merged(), status.LastSuccess, ex.Message, Counters(address)));
        }
    }

    /// <summary>
    /// Reads one block, asking once more after <see cref="PollerOptions.BusyRetryDelay"/> when the
    /// pack answers "busy" (Modbus exception 0x06): one such reply should not make the pack Stale.
    /// </summary>
    private Task<BlockReading> ReadBlockAsync(byte address, BlockId block, CancellationToken cancellationToken)
        => _client.ReadBlockRetryingBusyAsync(address, block, _options.BusyRetryDelay, cancellationToken, _time);

    private LinkCountersSnapshot Counters(byte address) => _client.Rtu.CountersFor(address).Snapshot();

    private async Task DrainWorkAsync(CancellationToken cancellationToken)
    {
        while (_refreshRequests.TryDequeue(out var address))
        {
            _scheduler.RefreshParameters(address);
        }
        while (_work.Reader.TryRead(out var item))
        {
            await item.RunAsync(_client, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitForWorkOrAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        var wait = until - _time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            return;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(wait, _time, stop.Token);
        var work = _work.Reader.WaitToReadAsync(stop.Token).AsTask();
        await Task.WhenAny(delay, work).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void Publish(PackStatus status)
    {
        _status[status.Address] = status;
        PackUpdated?.Invoke(this, status);
    }

    /// <summary>Adds a line to the event stream from outside the bus (e.g. the MQTT bridge), for one log.</summary>
    public void Report(BusEventLevel level, string message) => Log(level, null, message);

    private void Log(BusEventLevel level, byte? address, string message)
        => Event?.Invoke(this, new BusEvent(_time.GetUtcNow(), level, address, message));

    private abstract class BusWork
    {
        public abstract Task RunAsync(SeplosClient client, CancellationToken pollerToken);
        public abstract void Cancel();
    }

    private sealed class BusWork<T>(Func<SeplosClient, CancellationToken, Task<T>> work, CancellationToken callerToken) : BusWork
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _done.Task;

        public override async Task RunAsync(SeplosClient client, CancellationToken pollerToken)
        {
            if (callerToken.IsCancellationRequested)
            {
                _done.TrySetCanceled(callerToken);
                return;
            }
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(pollerToken, callerToken);
            try
            {
                _done.TrySetResult(await work(client, linked.Token).ConfigureAwait(false));
            }
            catch (OperationCanceledException ex)
            {
                _done.TrySetCanceled(ex.CancellationToken);
            }
            catch (Exception ex)
            {
                // The caller gets the failure; the poller carries on.
                _done.TrySetException(ex);
            }
        }

        public override void Cancel() => _done.TrySetCanceled();
    }
}
