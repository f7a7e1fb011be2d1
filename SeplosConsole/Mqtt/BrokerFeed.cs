using System.Collections.Concurrent;
using System.Globalization;
using MQTTnet;
using MQTTnet.Protocol;
using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Mqtt;

/// <summary>
/// An <see cref="IPackFeed"/> built from what one or more bridges publish on a broker
/// (<c>&lt;prefix&gt;/battery_&lt;addr&gt;/snapshot</c>), so the dashboard runs with no serial port.
/// Packs of several bridges make one list: a pack keeps its own address as its number here unless
/// another bridge's pack took that number first; then it gets the first free number from 16 up
/// (the log says which). A pack whose bridge went offline, or whose last reading is older than
/// <see cref="StaleAfter"/>, is shown STALE with its last values. Events come from the MQTT
/// receive task and the connection loop; <see cref="AllStatus"/> may be read from any thread.
/// </summary>
public sealed class BrokerFeed : IPackFeed
{
    private readonly MqttOptions _options;
    private readonly IReadOnlyList<string> _prefixes;
    private readonly MqttConnectionLoop _connection;
    private readonly ConcurrentDictionary<byte, RemotePack> _packs = new();
    private readonly ConcurrentDictionary<(string Bridge, byte Address), byte> _slots = new();
    private readonly ConcurrentDictionary<string, bool> _bridgeOnline = new(StringComparer.Ordinal);
    private readonly Lock _slotLock = new();

    /// <param name="prefixes">Bridge prefixes to follow (topic filters: <c>+</c> follows every bridge).</param>
    public BrokerFeed(MqttOptions options, IReadOnlyList<string> prefixes)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _prefixes = prefixes.Count == 0 ? [options.Prefix] : prefixes;
        _connection = new MqttConnectionLoop(options, (level, line) => Report(level, null, line), willTopic: null)
        {
            MessageReceived = OnMessageAsync,
        };
        LinkName = $"mqtt{(options.Tls ? "s" : "")}://{options.Server}:{options.Port}/{string.Join(',', _prefixes)}";
    }

    /// <summary>Why a one-shot command cannot write through the broker (the dashboard edits through <see cref="RemoteWriteClient"/>).</summary>
    public const string WritesRefusedReason = "this dashboard reads the packs from the MQTT broker and cannot write to them; change parameters on the machine that owns the bus (seplos edit there), or from Home Assistant where that bridge allows writes";

    public event EventHandler<PackStatus>? PackUpdated;
    /// <summary>
    /// Log lines. A subscriber first gets the last few already raised: the feed connects and
    /// numbers the packs within milliseconds, usually before the dashboard has subscribed, and
    /// which bridge each pack belongs to must not be lost.
    /// </summary>
    public event EventHandler<BusEvent>? Event
    {
        add
        {
            BusEvent[] missed;
            lock (_events)
            {
                _event += value;
                missed = [.. _events];
            }
            foreach (var e in missed)
            {
                value?.Invoke(this, e);
            }
        }
        remove
        {
            lock (_events)
            {
                _event -= value;
            }
        }
    }

    private const int EventsKept = 50;
    private readonly Queue<BusEvent> _events = new();
    private EventHandler<BusEvent>? _event;

    /// <summary>A pack whose newest block is older than this is STALE (the bridge stopped polling it, or stopped).</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(15);

    public IReadOnlyList<PackStatus> AllStatus => [.. _packs.OrderBy(p => p.Key).Select(p => p.Value.Shown ?? p.Value.Received.Status)];

    public string LinkName { get; }

    public bool IsLinkDown => _connection.Status.State != MqttConnectionState.Connected;

    /// <summary>Which bridge a pack number here belongs to, its address there and what it lets one write; null when unknown.</summary>
    public (string Bridge, byte Address, IReadOnlyList<string> WriteKeys)? Remote(byte address)
        => _packs.TryGetValue(address, out var pack) ? (pack.Bridge, pack.BridgeAddress, pack.Received.WriteKeys) : null;

    /// <summary>The connection used for commands to bridges (null while disconnected).</summary>
    internal IMqttClient? Client => _connection.ConnectedClient;

    /// <summary>
    /// The broker connection's changes (connected; failed, with why), raised on the loop's task:
    /// the one-shot readers (show, all, watch) stop at a first failure instead of retrying.
    /// </summary>
    public event EventHandler<MqttBridgeStatus>? ConnectionChanged
    {
        add => _connection.StatusChanged += value;
        remove => _connection.StatusChanged -= value;
    }

    /// <summary>Whether the bridge with this prefix said online (true), offline (false), or nothing yet (null).</summary>
    public bool? BridgeOnline(string bridge) => _bridgeOnline.TryGetValue(bridge, out var online) ? online : null;

    /// <summary>
    /// Where bridges answer this viewer's commands (<see cref="RemoteWriteClient"/>): under the bridge's
    /// own prefix, so a broker's per-prefix access rules cover it, and named after this connection.
    /// </summary>
    internal string ResponseTopic(string bridge) => $"{bridge}/{ResponseLevel}";

    // A client id may hold characters a topic level cannot ('+', '#', '/').
    private string ResponseLevel => $"viewer/{string.Concat(_options.ClientId.Select(c => c is '+' or '#' or '/' ? '_' : c))}/result";

    /// <summary>The broker address of one bridge, for the journal's port (mqtt://host:port/bridge).</summary>
    internal string BridgeLink(string bridge) => $"mqtt{(_options.Tls ? "s" : "")}://{_options.Server}:{_options.Port}/{bridge}";

    /// <summary>Raised on MQTTnet's receive task for every answer to this viewer's commands.</summary>
    internal event Action<MqttApplicationMessage>? ResponseReceived;

    /// <summary>Raised for every snapshot received, with the time it arrived (for latency figures).</summary>
    public event Action<RemotePackStatus, DateTimeOffset>? SnapshotReceived;

    public Task RunAsync(CancellationToken cancellationToken)
        => _connection.RunAsync(RunSessionAsync, (_, _) => Task.CompletedTask, cancellationToken);

    private async Task RunSessionAsync(MqttSession session, CancellationToken cancellationToken)
    {
        var subscription = new MqttClientSubscribeOptionsBuilder();
        foreach (var prefix in _prefixes)
        {
            // The bridge's state first: the broker sends the retained messages in the order of the
            // filters, so a pack of an offline bridge is never shown online for a moment.
            subscription = subscription
                .WithTopicFilter($"{prefix}/bridge/state", MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter($"{prefix}/+/snapshot", MqttQualityOfServiceLevel.AtMostOnce)
                .WithTopicFilter($"{prefix}/{ResponseLevel}", MqttQualityOfServiceLevel.AtLeastOnce);
        }
        await session.Client.SubscribeAsync(subscription.Build(), cancellationToken).ConfigureAwait(false);
        Report(BusEventLevel.Info, null, $"following {string.Join(", ", _prefixes)} on {MqttConnectionErrors.Where(_options)}");
        // Ages grow without messages: look once a second which packs have gone stale.
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (!session.Lost.IsCompleted)
        {
            await Task.WhenAny(tick.WaitForNextTickAsync(cancellationToken).AsTask(), session.Lost).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var slot in _packs.Keys)
            {
                Show(slot);
            }
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var now = DateTimeOffset.UtcNow;
        var topic = e.ApplicationMessage.Topic;
        if (topic.EndsWith("/" + ResponseLevel, StringComparison.Ordinal))
        {
            ResponseReceived?.Invoke(e.ApplicationMessage);
            return Task.CompletedTask;
        }
        var payload = e.ApplicationMessage.ConvertPayloadToString() ?? "";
        if (topic.EndsWith("/bridge/state", StringComparison.Ordinal))
        {
            var bridge = topic[..^"/bridge/state".Length];
            var online = payload.Trim() == MqttTopics.Online;
            if (_bridgeOnline.TryGetValue(bridge, out var before) && before != online)
            {
                Report(online ? BusEventLevel.Info : BusEventLevel.Warning, null, $"bridge {bridge} is {(online ? "online" : "offline")}");
            }
            _bridgeOnline[bridge] = online;
            foreach (var number in _packs.Where(p => p.Value.Bridge == bridge).Select(p => p.Key))
            {
                Show(number);
            }
            return Task.CompletedTask;
        }
        if (!topic.EndsWith("/snapshot", StringComparison.Ordinal) || payload.Length == 0)
        {
            return Task.CompletedTask;
        }
        var (received, error) = PackSnapshotMessage.Parse(payload);
        if (received is null)
        {
            Report(BusEventLevel.Warning, null, $"ignored {topic}: {error}");
            return Task.CompletedTask;
        }
        // The topic says which bridge; the payload's name is only a label.
        var prefix = topic[..topic.LastIndexOf('/', topic.Length - "/snapshot".Length - 1)];
        var address = received.Status.Address;
        var slot = SlotFor(prefix, address);
        // Numbered as here; decoded again only for a pack that had to take another number.
        var status = slot == address ? received.Status : received.Status with { Address = slot, Snapshot = PackSnapshot.Empty(slot).With(received.Status.Snapshot.Blocks.Values) };
        var arrived = new RemotePack(prefix, address, received with { Bridge = prefix, Status = status }, Shown: null);
        // Under the lock Show takes: its read-modify-write (the once-a-second staleness look, on the
        // session's task) would otherwise put back the pack it read and lose this newer snapshot.
        lock (_slotLock)
        {
            _packs.AddOrUpdate(slot, arrived, (_, existing) => arrived with { Shown = existing.Shown });
        }
        SnapshotReceived?.Invoke(arrived.Received, now);
        Show(slot);
        return Task.CompletedTask;
    }

    private const int FirstSpareNumber = 16;

    private byte SlotFor(string bridge, byte address)
    {
        if (_slots.TryGetValue((bridge, address), out var slot))
        {
            return slot;
        }
        lock (_slotLock)
        {
            if (_slots.TryGetValue((bridge, address), out slot))
            {
                return slot;
            }
            var taken = _slots.Values.ToHashSet();
            // A bus has addresses 0–15: a pack displaced by another bridge's pack of the same
            // address gets 16 or above, so no pack ever takes a number another bus uses.
            slot = taken.Contains(address) ? (byte)Enumerable.Range(FirstSpareNumber, 256 - FirstSpareNumber).First(n => !taken.Contains((byte)n)) : address;
            _slots[(bridge, address)] = slot;
            Report(BusEventLevel.Info, slot, $"is pack {address} of bridge {bridge}");
            return slot;
        }
    }

    /// <summary>Works out what the pack looks like now (stale or not) and raises the update when it changed.</summary>
    private void Show(byte slot)
    {
        PackStatus? raise = null;
        lock (_slotLock)
        {
            if (!_packs.TryGetValue(slot, out var pack))
            {
                return;
            }
            var status = pack.Received.Status;
            var bridgeOffline = _bridgeOnline.TryGetValue(pack.Bridge, out var online) && !online;
            var age = status.Snapshot.UpdatedAt is { } read ? DateTimeOffset.UtcNow - read : (TimeSpan?)null;
            var shown = status;
            if (bridgeOffline && status.State is PackLinkState.Online or PackLinkState.Connecting)
            {
                shown = status with { State = PackLinkState.Stale, LastError = $"bridge {pack.Bridge} is offline" };
            }
            else if (age > StaleAfter && status.State == PackLinkState.Online)
            {
                shown = status with { State = PackLinkState.Stale, LastError = $"no reading from bridge {pack.Bridge} for {age.Value.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s" };
            }
            var before = pack.Shown;
            if (before is null || !ReferenceEquals(before.Snapshot, shown.Snapshot) || before.State != shown.State || before.LastError != shown.LastError)
            {
                _packs[slot] = pack with { Shown = shown };
                raise = shown;
            }
        }
        if (raise is not null)
        {
            PackUpdated?.Invoke(this, raise);
        }
    }

    private void Report(BusEventLevel level, byte? address, string message)
    {
        var e = new BusEvent(DateTimeOffset.Now, level, address, message);
        EventHandler<BusEvent>? handlers;
        lock (_events)
        {
            _events.Enqueue(e);
            if (_events.Count > EventsKept)
            {
                _events.Dequeue();
            }
            handlers = _event;
        }
        handlers?.Invoke(this, e);
    }

    /// <param name="Shown">What the feed last raised for it (stale or not); null before the first time.</param>
    private sealed record RemotePack(string Bridge, byte BridgeAddress, RemotePackStatus Received, PackStatus? Shown);
}
