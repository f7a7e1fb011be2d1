using System.Collections.Concurrent;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Protocol;
using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Mqtt;

/// <summary>
/// Publishing: discovery, availability and state of every pack, on change and in full every
/// republish interval, after each reconnect and when Home Assistant restarts; removal of entities
/// no longer offered (<see cref="AnnouncedEntities"/>). <see cref="Track"/> and
/// <see cref="TryAccept"/> may be called from any thread; the session methods run on the
/// connection loop's task, one session at a time.
/// </summary>
internal sealed class MqttStatePublisher
{
    private readonly MqttOptions _options;
    private readonly MqttTopics _topics;
    private readonly Action<BusEventLevel, string> _log;
    private readonly HomeAssistantDiscovery _discovery;
    private readonly AnnouncedEntities _announcedEver;

    private readonly ConcurrentDictionary<byte, PackStatus> _latest = new();
    private readonly ConcurrentDictionary<byte, bool> _dirty = new();

    /// <summary>A single "there is work" token: feed updates, HA's birth and a lost connection set it.</summary>
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private readonly IReadOnlyList<string> _writeKeys;

    private long _birthDueAtMs;
    private long _identityDeadlineMs;
    private volatile string? _previousRecord;
    private volatile TaskCompletionSource? _synced;

    public MqttStatePublisher(MqttOptions options, MqttTopics topics, Action<BusEventLevel, string> log)
    {
        _options = options;
        _topics = topics;
        _log = log;
        _discovery = new HomeAssistantDiscovery(options, topics);
        _announcedEver = new AnnouncedEntities(topics);
        _writeKeys = [.. options.WritableFields().Select(f => f.Key)];
    }

    /// <summary>Called after each publish pass (the systemd watchdog's sign of life).</summary>
    public Action? PassPublished { get; set; }

    /// <summary>Whether a pack address is one the feed has (the bus this bridge owns).</summary>
    public bool Knows(byte address) => _latest.ContainsKey(address);

    /// <summary>Starts the wait for the packs' identity (VIA) before their first discovery.</summary>
    public void Start(IEnumerable<PackStatus> packs)
    {
        foreach (var status in packs)
        {
            _latest[status.Address] = status;
        }
        Interlocked.Exchange(ref _identityDeadlineMs, Environment.TickCount64 + (long)_options.IdentityWait.TotalMilliseconds);
    }

    /// <summary>A pack's new status from the feed: published as soon as the session gets to it.</summary>
    public void Track(PackStatus status)
    {
        _latest[status.Address] = status;
        _dirty[status.Address] = true;
        Wake();
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Takes HA's birth message and the discovery record read back at start; false for anything else.</summary>
    public bool TryAccept(MqttApplicationMessage message, string payload)
    {
        if (_synced is { } synced)
        {
            if (message.Topic == _topics.DiscoveryRecord)
            {
                _previousRecord = payload;
                return true;
            }
            if (message.Topic == _topics.Sync(_options.ClientId))
            {
                synced.TrySetResult();
                return true;
            }
        }
        if (message.Topic != _topics.HomeAssistantStatus)
        {
            return false;
        }
        // A retained "online" comes at every subscribe; discovery was just sent then anyway.
        if (!message.Retain && payload.Trim().Equals(MqttTopics.Online, StringComparison.OrdinalIgnoreCase))
        {
            var min = _options.MinBirthDelay.TotalMilliseconds;
            var max = Math.Max(min, _options.MaxBirthDelay.TotalMilliseconds);
            var delay = (long)(min + (Random.Shared.NextDouble() * (max - min)));
            Interlocked.Exchange(ref _birthDueAtMs, Environment.TickCount64 + Math.Max(1, delay));
            Wake();
        }
        return true;
    }

    /// <summary>HA's status topic, retained birth included.</summary>
    public MqttClientSubscribeOptionsBuilder Subscribe(MqttClientSubscribeOptionsBuilder subscription)
        => subscription.WithTopicFilter(_topics.HomeAssistantStatus, MqttQualityOfServiceLevel.AtLeastOnce, noLocal: false, retainAsPublished: false, MqttRetainHandling.SendAtSubscribe);

    /// <summary>
    /// One session: once a run, removes what is no longer offered; then publishes everything once,
    /// then changes as they come, until the connection is lost.
    /// </summary>
    public async Task RunSessionAsync(MqttSession connection, CancellationToken cancellationToken)
    {
        var client = connection.Client;
        var lost = connection.Lost;
        _ = lost.ContinueWith(_ => Wake(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (!_announcedEver.Loaded)
        {
            await RemoveWhatIsNoLongerOfferedAsync(client, cancellationToken).ConfigureAwait(false);
        }
        var session = new SessionState();
        var nextFullPublish = Environment.TickCount64;
        while (!lost.IsCompleted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = Environment.TickCount64;
            var full = now >= nextFullPublish;
            var identityDeadline = Interlocked.Read(ref _identityDeadlineMs);
            if (identityDeadline != 0 && now >= identityDeadline)
            {
                // Packs still without VIA are announced now, without their device details.
                Interlocked.CompareExchange(ref _identityDeadlineMs, 0, identityDeadline);
                identityDeadline = 0;
                foreach (var address in _latest.Keys)
                {
                    _dirty[address] = true;
                }
            }
            var birthDue = Interlocked.Read(ref _birthDueAtMs);
            if (birthDue != 0 && now >= birthDue)
            {
                Interlocked.CompareExchange(ref _birthDueAtMs, 0, birthDue);
                session.ForgetDiscovery();
                full = true;
                _log(BusEventLevel.Info, "MQTT: Home Assistant restarted; discovery and state published again");
            }
            if (full)
            {
                session.ForgetState();
                nextFullPublish = now + (long)_options.RepublishInterval.TotalMilliseconds;
            }
            await PublishPendingAsync(client, session, full, cancellationToken).ConfigureAwait(false);
            PassPublished?.Invoke();

            var wakeAt = birthDue != 0 ? Math.Min(nextFullPublish, birthDue) : nextFullPublish;
            wakeAt = identityDeadline != 0 ? Math.Min(wakeAt, identityDeadline) : wakeAt;
            await WaitForWorkAsync(TimeSpan.FromMilliseconds(Math.Max(1, wakeAt - Environment.TickCount64)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A clean stop: every pack and the bridge say offline (DISCONNECT discards the last will).</summary>
    public async Task GoOfflineAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        foreach (var address in _latest.Keys.Order())
        {
            await Publish(client, _topics.PackAvailability(address), MqttTopics.Offline, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
        }
        await Publish(client, _topics.BridgeAvailability, MqttTopics.Offline, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Once a run, before anything is announced: reads back the record of what the previous run
    /// announced and empties the configs of entities not offered now (HA then deletes them).
    /// </summary>
    private async Task RemoveWhatIsNoLongerOfferedAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var synced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _synced = synced;
        var sync = _topics.Sync(_options.ClientId);
        // The retained record comes right after the SUBACK; our own message on a topic only we use
        // comes back after it, so once it is here the record has come too, or there is none.
        var subscription = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(_topics.DiscoveryRecord, MqttQualityOfServiceLevel.AtLeastOnce, noLocal: true, retainAsPublished: false, MqttRetainHandling.SendAtSubscribe)
            .WithTopicFilter(sync, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await client.SubscribeAsync(subscription, cancellationToken).ConfigureAwait(false);
        await Publish(client, sync, "sync", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken, retain: false).ConfigureAwait(false);
        try
        {
            await synced.Task.WaitAsync(_options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log(BusEventLevel.Warning, "MQTT: the broker did not return the discovery record in time; entities announced by an earlier run are not checked for removal");
            return;
        }
        finally
        {
            _synced = null;
            await client.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(_topics.DiscoveryRecord).WithTopicFilter(sync).Build(), cancellationToken).ConfigureAwait(false);
        }
        var possible = _latest.Keys.SelectMany(_discovery.PossibleTopics).ToHashSet(StringComparer.Ordinal);
        var stale = _announcedEver.Load(_previousRecord, possible);
        if (_announcedEver.Unreadable is { } unreadable)
        {
            _log(BusEventLevel.Warning, $"MQTT: the record of what an earlier run announced ({_topics.DiscoveryRecord}) cannot be read ({unreadable}); entities it announced are not checked for removal");
        }
        foreach (var topic in stale)
        {
            await Publish(client, topic, "", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
        }
        if (stale.Count > 0)
        {
            var packs = stale.Select(t => t.Split('/')[^3]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            _log(BusEventLevel.Info, $"MQTT: removed {stale.Count} Home Assistant entities no longer offered ({string.Join(", ", packs)})");
        }
    }

    private async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_wake.Reader.TryRead(out _))
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(timeout);
            try
            {
                await _wake.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Timed out: a full republish or HA's birth is due.
            }
            _wake.Reader.TryRead(out _);
        }
    }

    private async Task PublishPendingAsync(IMqttClient client, SessionState session, bool all, CancellationToken cancellationToken)
    {
        if (session.BridgeAvailability != MqttTopics.Online)
        {
            await Publish(client, _topics.BridgeAvailability, MqttTopics.Online, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
            session.BridgeAvailability = MqttTopics.Online;
        }
        IEnumerable<byte> addresses;
        if (all)
        {
            _dirty.Clear();
            addresses = _latest.Keys;
        }
        else
        {
            var dirty = new List<byte>();
            foreach (var address in _dirty.Keys)
            {
                if (_dirty.TryRemove(address, out _))
                {
                    dirty.Add(address);
                }
            }
            addresses = dirty;
        }
        foreach (var address in addresses.Order())
        {
            await PublishPackAsync(client, session, _latest[address], cancellationToken).ConfigureAwait(false);
        }
        // Not before the previous run's record was read: it would be overwritten unread.
        if (_announcedEver.Loaded && _announcedEver.RecordIfChanged(forceForNewSession: session.DiscoveryRecordPending) is { } record)
        {
            await Publish(client, _topics.DiscoveryRecord, record, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
        }
        session.DiscoveryRecordPending = false;
    }

    private async Task PublishPackAsync(IMqttClient client, SessionState session, PackStatus status, CancellationToken cancellationToken)
    {
        var address = status.Address;

        // Discovery first (retained), for keys not announced yet in this session; all again when
        // the device block (serial, model, firmware) changed. The first time, wait a few seconds
        // for VIA, so ~300 configs go once, with the device details.
        var identityPending = !status.Snapshot.Has(BlockId.Via) && Interlocked.Read(ref _identityDeadlineMs) != 0;
        var signature = HomeAssistantDiscovery.DeviceSignature(status.Snapshot);
        var announced = session.Announced(address, signature);
        foreach (var message in identityPending ? [] : _discovery.For(status, topic => !announced.Contains(topic)))
        {
            await Publish(client, message.Topic, message.Payload, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
            announced.Add(message.Topic);
            _announcedEver.Add(message.Topic);
        }
        await WithdrawNotFittedAsync(client, session, status, announced, cancellationToken).ConfigureAwait(false);

        // State: QoS 0 is enough. Every value is retained and sent again after a reconnect and at
        // each full republish; on a live TCP connection QoS 0 loses nothing, and the broker and a
        // Raspberry Pi are spared an acknowledgement per cell voltage.
        var online = status.State is PackLinkState.Online or PackLinkState.Stale;
        var published = session.Published(address);
        foreach (var value in PackStateValues.Collect(status, _options, includePackValues: online))
        {
            if (published.TryGetValue(value.Key, out var last) && !IsWorthPublishing(value, last))
            {
                continue;
            }
            await Publish(client, _topics.State(address, value.Key), value.Payload, MqttQualityOfServiceLevel.AtMostOnce, cancellationToken).ConfigureAwait(false);
            published[value.Key] = value;
        }

        // The whole pack for remote viewers, once per poll (or change of link state). QoS 0 and
        // retained as the state: the next poll brings a newer one anyway.
        var snapshotKey = (status.Snapshot.UpdatedAt, status.State, status.LastError);
        if (!session.SnapshotPublished.TryGetValue(address, out var lastSnapshot) || lastSnapshot != snapshotKey)
        {
            var message = PackSnapshotMessage.Serialise(status, _topics.Prefix, _writeKeys, DateTimeOffset.UtcNow);
            await Publish(client, _topics.Snapshot(address), message, MqttQualityOfServiceLevel.AtMostOnce, cancellationToken).ConfigureAwait(false);
            session.SnapshotPublished[address] = snapshotKey;
        }

        var availability = online ? MqttTopics.Online : MqttTopics.Offline;
        if (!session.PackAvailability.TryGetValue(address, out var previous) || previous != availability)
        {
            await Publish(client, _topics.PackAvailability(address), availability, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
            if (previous is not null)
            {
                _log(online ? BusEventLevel.Info : BusEventLevel.Warning, $"MQTT: pack {address} is {availability}");
            }
            session.PackAvailability[address] = availability;
        }
    }

    /// <summary>
    /// Sensors the pack says are not fitted (temperature sensors past ntc_count …) and their bits
    /// (alarms, balancing) are not entities: a config announced before the count was read (or by an earlier run, retained on
    /// the broker) gets its empty retained payload, and so does its retained state. Once per
    /// session, and again after it was announced anew.
    /// </summary>
    private async Task WithdrawNotFittedAsync(IMqttClient client, SessionState session, PackStatus status, HashSet<string> announced, CancellationToken cancellationToken)
    {
        var withdrawn = session.Withdrawn(status.Address);
        var notFitted = status.Snapshot.NotFitted.Select(f => (Component: "sensor", f.Key))
            .Concat(status.Snapshot.NotFittedFlags.Select(f => (Component: "binary_sensor", f.Key)));
        foreach (var (component, key) in notFitted)
        {
            var topic = _topics.DiscoveryConfig(component, status.Address, key);
            if (withdrawn.Contains(topic) && !announced.Contains(topic))
            {
                continue;
            }
            await Publish(client, topic, "", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
            await Publish(client, _topics.State(status.Address, key), "", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
            announced.Remove(topic);
            _announcedEver.Remove(topic);
            withdrawn.Add(topic);
            session.Published(status.Address).Remove(key);
        }
    }

    /// <summary>A change counts when it reaches the deadband (against the value last published, so slow drifts still arrive).</summary>
    internal static bool IsWorthPublishing(StateValue now, StateValue last)
    {
        if (now.Deadband > 0 && now.Number is { } value && last.Number is { } before)
        {
            // The tolerance absorbs binary fractions: 3.305 − 3.302 is not exactly 0.003.
            return Math.Abs(value - before) >= now.Deadband - 1e-9;
        }
        return !string.Equals(now.Payload, last.Payload, StringComparison.Ordinal);
    }

    /// <summary>
    /// Stops between messages, never inside one: a QoS 1 publish cancelled half-way can leave
    /// MQTTnet's connection unusable, and the goodbye (every pack offline) then never went out — the
    /// broker published only the bridge's last will (seen when stopping during the first discovery
    /// burst). A publish still has a deadline of its own.
    /// </summary>
    private async Task Publish(IMqttClient client, string topic, string payload, MqttQualityOfServiceLevel qos, CancellationToken cancellationToken, bool retain = true)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var deadline = new CancellationTokenSource(_options.ConnectTimeout);
        await MqttMessages.PublishAsync(client, topic, payload, qos, _log, deadline.Token, retain).ConfigureAwait(false);
    }

    /// <summary>What this connection has published; forgotten on reconnect so everything goes out again.</summary>
    private sealed class SessionState
    {
        private readonly Dictionary<byte, Dictionary<string, StateValue>> _published = [];
        private readonly Dictionary<byte, (string Signature, HashSet<string> Topics)> _announced = [];
        private readonly Dictionary<byte, HashSet<string>> _withdrawn = [];

        public string? BridgeAvailability { get; set; }

        /// <summary>The discovery record goes out once per session even unchanged (a restarted broker lost it).</summary>
        public bool DiscoveryRecordPending { get; set; } = true;

        public Dictionary<byte, string> PackAvailability { get; } = [];

        public Dictionary<byte, (DateTimeOffset?, PackLinkState, string?)> SnapshotPublished { get; } = [];

        public Dictionary<string, StateValue> Published(byte address)
            => _published.TryGetValue(address, out var values) ? values : _published[address] = new(StringComparer.Ordinal);

        public HashSet<string> Announced(byte address, string deviceSignature)
        {
            if (!_announced.TryGetValue(address, out var entry) || entry.Signature != deviceSignature)
            {
                _announced[address] = entry = (deviceSignature, new HashSet<string>(StringComparer.Ordinal));
            }
            return entry.Topics;
        }

        public void ForgetState()
        {
            _published.Clear();
            PackAvailability.Clear();
            SnapshotPublished.Clear();
            BridgeAvailability = null;
            DiscoveryRecordPending = true;
        }

        /// <summary>Config topics emptied in this session (sensors not fitted).</summary>
        public HashSet<string> Withdrawn(byte address)
            => _withdrawn.TryGetValue(address, out var topics) ? topics : _withdrawn[address] = new(StringComparer.Ordinal);

        public void ForgetDiscovery()
        {
            _announced.Clear();
            _withdrawn.Clear();
        }
    }
}
