using System.Collections.Concurrent;
using System.Threading.Channels;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;

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
    private readonly Channel<BusWork> _work = Channel.CreateUnbounded<BusWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<byte, PackStatus> _status = new();
    private readonly Dictionary<byte, PackSchedule> _schedule = [];
    private int _linkFailures;
    private bool _linkDown;

    public BusPoller(SeplosClient client, PollerOptions options, TimeProvider? time = null)
    {
        _client = client;
        _options = options;
        _time = time ?? TimeProvider.System;
        foreach (var address in options.Addresses.Distinct())
        {
            _schedule[address] = new PackSchedule(address);
            _status[address] = new PackStatus(address, PackLinkState.Connecting, PackSnapshot.Empty(address), null, null, client.Rtu.CountersFor(address).Snapshot());
        }
    }

    /// <summary>A pack's status changed or new values arrived.</summary>
    public event EventHandler<PackStatus>? PackUpdated;

    /// <summary>Connects, errors, recoveries: lines for a log.</summary>
    public event EventHandler<BusEvent>? Event;

    public IReadOnlyList<byte> Addresses => _options.Addresses;
    public SeplosClient Client => _client;
    public PollerOptions Options => _options;
    public bool IsLinkDown => _linkDown;
    public string LinkName => _client.Rtu.Transport.Name;

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
        if (_schedule.TryGetValue(address, out var pack))
        {
            pack.SlowDue = true;
        }
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
                var next = NextDuePack();
                if (next is null)
                {
                    await WaitForWorkOrAsync(EarliestDue(), cancellationToken).ConfigureAwait(false);
                    continue;
                }
                await PollAsync(next, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
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
            if (_linkDown || _linkFailures > 0)
            {
                Log(BusEventLevel.Info, null, $"{_client.Rtu.Transport.Name} is back");
            }
            else
            {
                Log(BusEventLevel.Info, null, $"connected to {_client.Rtu.Transport.Name}");
            }
            _linkDown = false;
            _linkFailures = 0;
            return true;
        }
        catch (TransportException ex)
        {
            LinkLost(ex.Message);
            // Work queued while the adapter is gone fails now instead of waiting for it.
            await DrainWorkAsync(cancellationToken).ConfigureAwait(false);
            await WaitForWorkOrAsync(_time.GetUtcNow() + Backoff(_linkFailures), cancellationToken).ConfigureAwait(false);
            return false;
        }
    }

    private void LinkLost(string reason)
    {
        _linkFailures++;
        if (!_linkDown)
        {
            _linkDown = true;
            Log(BusEventLevel.Error, null, reason);
            foreach (var address in _schedule.Keys)
            {
                Publish(_status[address] with { State = PackLinkState.Offline, LastError = reason });
            }
        }
    }

    private PackSchedule? NextDuePack()
    {
        var now = _time.GetUtcNow();
        // Round robin: the pack that has waited longest past its due time goes first.
        return _schedule.Values.Where(p => p.NextPoll <= now).OrderBy(p => p.NextPoll).FirstOrDefault();
    }

    private DateTimeOffset EarliestDue() => _schedule.Values.Min(p => p.NextPoll);

    private async Task PollAsync(PackSchedule pack, CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        var status = _status[pack.Address];
        var snapshot = status.Snapshot;
        try
        {
            foreach (var block in BlocksFor(pack, started))
            {
                await DrainWorkAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var reading = await _client.ReadBlockAsync(pack.Address, block, cancellationToken).ConfigureAwait(false);
                    snapshot = snapshot.With(reading);
                }
                catch (PackRefusedException ex) when (!SeplosMap.LiveBlocks.Contains(block))
                {
                    // A slave pack refuses the system blocks; an old firmware may lack PCT. Stop asking.
                    pack.Unsupported.Add(block);
                    Log(BusEventLevel.Info, pack.Address, $"{SeplosMap.Block(block).Name} not available ({ex.Code.Describe()})");
                }
            }
            if (pack.Failures > 0 || status.State != PackLinkState.Online)
            {
                Log(BusEventLevel.Info, pack.Address, status.State == PackLinkState.Connecting ? "answering" : "answering again");
            }
            pack.Failures = 0;
            pack.NextPoll = started + _options.Interval;
            Publish(new PackStatus(pack.Address, PackLinkState.Online, snapshot, _time.GetUtcNow(), null, Counters(pack.Address)));
        }
        catch (TransportException ex)
        {
            LinkLost(ex.Message);
        }
        catch (Exception ex) when (ex is RtuException or PackRefusedException)
        {
            pack.Failures++;
            var offline = pack.Failures >= _options.FailuresBeforeOffline;
            pack.NextPoll = _time.GetUtcNow() + (offline ? Backoff(pack.Failures - _options.FailuresBeforeOffline) : _options.Interval);
            if (offline && status.State != PackLinkState.Offline)
            {
                Log(BusEventLevel.Error, pack.Address, $"offline: {ex.Message}");
            }
            else if (!offline)
            {
                Log(BusEventLevel.Warning, pack.Address, ex.Message);
            }
            // Keep what was read: the front ends show the old values marked stale, never blank.
            Publish(new PackStatus(pack.Address, offline ? PackLinkState.Offline : PackLinkState.Stale, snapshot, status.LastSuccess, ex.Message, Counters(pack.Address)));
        }
    }

    private IEnumerable<BlockId> BlocksFor(PackSchedule pack, DateTimeOffset now)
    {
        var slow = pack.SlowDue || pack.LastSlowRead is null || now - pack.LastSlowRead >= _options.SlowInterval;
        var blocks = new List<BlockId>(SeplosMap.LiveBlocks);
        if (slow)
        {
            // Cleared now, not after the poll: a write queued during this poll asks again for the next one.
            pack.SlowDue = false;
            pack.LastSlowRead = now;
            blocks.AddRange(SeplosMap.SlowBlocks);
        }
        if (_options.ReadSystemBlocks && pack.Address == 0)
        {
            blocks.Add(BlockId.Eia);
            blocks.Add(BlockId.Eic);
            if (slow)
            {
                blocks.Add(BlockId.Eib);
            }
        }
        return blocks.Where(b => !pack.Unsupported.Contains(b));
    }

    private LinkCountersSnapshot Counters(byte address) => _client.Rtu.CountersFor(address).Snapshot();

    private TimeSpan Backoff(int failures)
    {
        var factor = Math.Pow(2, Math.Clamp(failures - 1, 0, 16));
        var delay = TimeSpan.FromTicks((long)Math.Min(_options.RetryMin.Ticks * factor, _options.RetryMax.Ticks));
        return delay < _options.RetryMin ? _options.RetryMin : delay;
    }

    private async Task DrainWorkAsync(CancellationToken cancellationToken)
    {
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

    private sealed class PackSchedule(byte address)
    {
        public byte Address { get; } = address;
        public DateTimeOffset NextPoll { get; set; } = DateTimeOffset.MinValue;
        public DateTimeOffset? LastSlowRead { get; set; }
        private volatile bool _slowDue = true;

        /// <summary>Set from other threads (after a write), read by the bus task.</summary>
        public bool SlowDue
        {
            get => _slowDue;
            set => _slowDue = value;
        }
        public int Failures { get; set; }
        public HashSet<BlockId> Unsupported { get; } = [];
    }

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
