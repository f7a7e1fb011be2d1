using System.Collections.Concurrent;
using SeplosConsole.Seplos;
using SeplosConsole.Transport;

namespace SeplosConsole.Services;

public sealed record ListenOptions
{
    /// <summary>Packs shown from the start (as Connecting); any other pack address heard is added when first heard.</summary>
    public IReadOnlyList<byte> Addresses { get; init; } = [];

    /// <summary>A pack not heard for this long is shown Stale (a master polls each slave every few hundred ms).</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A pack not heard for this long is shown Offline.</summary>
    public TimeSpan OfflineAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often staleness is checked.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// <c>--listen</c>: the packs of a parallel system as pack 0 (the bus master) sees them, decoded
/// from its traffic by a <see cref="BusListener"/> without ever transmitting. Feeds the dashboard
/// and the MQTT bridge like <see cref="BusPoller"/> does; writes are refused
/// (<see cref="RunOnBusAsync{T}"/> throws with <see cref="WritesRefusedReason"/>).
/// Events are raised on background tasks.
/// </summary>
public sealed class ListenFeed : IPackFeed
{
    /// <summary>Why a write cannot happen in listen mode; shown to the user as is.</summary>
    public const string WritesRefusedReason =
        "listen mode: this program never transmits (pack 0 is the bus master and a second master would collide with it), so parameters cannot be written; "
        + "stop --listen and connect to the pack on a separate port to change settings";

    private readonly ListenOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<byte, PackStatus> _status = new();
    private readonly Lock _publishGate = new();
    private volatile bool _linkDown = true;

    public ListenFeed(IBusTransport transport, ListenOptions? options = null, TimeProvider? time = null)
    {
        _options = options ?? new ListenOptions();
        _time = time ?? TimeProvider.System;
        Listener = new BusListener(transport, _time);
        Listener.BlockHeard += (_, heard) => OnBlockHeard(heard);
        Listener.LinkChanged += (_, change) => OnLinkChanged(change);
        foreach (var address in _options.Addresses.Distinct())
        {
            _status[address] = new PackStatus(address, PackLinkState.Connecting, PackSnapshot.Empty(address), null, null, Listener.CountersFor(address).Snapshot());
        }
    }

    public event EventHandler<PackStatus>? PackUpdated;
    public event EventHandler<BusEvent>? Event;

    public BusListener Listener { get; }
    public ListenOptions Options => _options;
    public IReadOnlyList<PackStatus> AllStatus => [.. _status.Values.OrderBy(s => s.Address)];
    public string LinkName => Listener.Transport.Name;
    public bool IsLinkDown => _linkDown;
    public bool IsListenOnly => true;

    public PackStatus? Status(byte address) => _status.GetValueOrDefault(address);

    /// <summary>Always refuses: listen mode never transmits.</summary>
    /// <exception cref="InvalidOperationException">always, with <see cref="WritesRefusedReason"/>.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Front ends call it on the feed they hold, as on BusPoller.")]
    public Task<T> RunOnBusAsync<T>(Func<SeplosClient, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        => throw new InvalidOperationException(WritesRefusedReason);

    /// <summary>Listens and ages the packs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var listening = Listener.RunAsync(stop.Token);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.WhenAny(listening, Task.Delay(_options.CheckInterval, _time, cancellationToken)).ConfigureAwait(false);
                if (listening.IsCompleted)
                {
                    // Only cancellation ends the listener; anything else is a bug worth seeing.
                    await listening.ConfigureAwait(false);
                    break;
                }
                Age();
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await listening.ConfigureAwait(false);
        }
    }

    /// <summary>Marks packs not heard for a while Stale, then Offline.</summary>
    public void Age()
    {
        var now = _time.GetUtcNow();
        lock (_publishGate)
        {
            AgeLocked(now);
        }
    }

    private void AgeLocked(DateTimeOffset now)
    {
        foreach (var status in _status.Values)
        {
            if (status.LastSuccess is not { } last || status.State == PackLinkState.Offline)
            {
                continue;
            }
            var silent = now - last;
            var state = silent >= _options.OfflineAfter ? PackLinkState.Offline
                : silent >= _options.StaleAfter ? PackLinkState.Stale
                : PackLinkState.Online;
            if (state != status.State)
            {
                var message = $"not heard for {silent.TotalSeconds:0} s";
                Log(state == PackLinkState.Offline ? BusEventLevel.Error : BusEventLevel.Warning, status.Address, message);
                Publish(status with { State = state, LastError = message, Counters = Listener.CountersFor(status.Address).Snapshot() });
            }
        }
    }

    private void OnBlockHeard(HeardBlock heard)
    {
        if (heard.Address > SeplosMap.MaxPackAddress)
        {
            // 0xE0 (vendor display) and 0xC0 (ECU) are masters, not packs.
            return;
        }
        var now = _time.GetUtcNow();
        // Lock (re-entered by Publish) so the ageing timer cannot put an older state over this one.
        lock (_publishGate)
        {
            var previous = _status.GetValueOrDefault(heard.Address);
            if (previous is null || previous.State != PackLinkState.Online)
            {
                Log(BusEventLevel.Info, heard.Address, previous is null || previous.State == PackLinkState.Connecting ? "heard on the bus" : "heard again");
            }
            var snapshot = (previous?.Snapshot ?? PackSnapshot.Empty(heard.Address)).With(heard.Reading);
            Publish(new PackStatus(heard.Address, PackLinkState.Online, snapshot, now, null, Listener.CountersFor(heard.Address).Snapshot()));
        }
    }

    private void OnLinkChanged(LinkChange change)
    {
        _linkDown = !change.IsUp;
        Log(change.IsUp ? BusEventLevel.Info : BusEventLevel.Error, null, change.Message);
        if (!change.IsUp)
        {
            lock (_publishGate)
            {
                foreach (var status in _status.Values)
                {
                    Publish(status with { State = PackLinkState.Offline, LastError = change.Message });
                }
            }
        }
    }

    private void Publish(PackStatus status)
    {
        // The listener and the ageing timer run on different tasks: keep each pack's updates in order.
        lock (_publishGate)
        {
            _status[status.Address] = status;
            PackUpdated?.Invoke(this, status);
        }
    }

    /// <summary>Adds a line to the event stream from outside the bus (e.g. the MQTT bridge), for one log.</summary>
    public void Report(BusEventLevel level, string message) => Log(level, null, message);

    private void Log(BusEventLevel level, byte? address, string message)
        => Event?.Invoke(this, new BusEvent(_time.GetUtcNow(), level, address, message));
}
