using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Protocol;
using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Mqtt;

/// <summary>
/// Mirrors the packs of an <see cref="IPackFeed"/> to MQTT with Home Assistant discovery, for
/// months on end. One loop owns the connection: it connects, subscribes, publishes discovery,
/// availability and state, publishes changes as they come, and reconnects with back-off when the
/// broker goes away (MQTTnet 5 has no managed client, platform notes).
/// </summary>
public sealed class MqttBridge
{
    private readonly MqttOptions _options;
    private readonly Action<BusEventLevel, string> _log;
    private readonly IMqttWriteHandler? _writeHandler;
    private readonly MqttTopics _topics;
    private readonly HomeAssistantDiscovery _discovery;
    private readonly IReadOnlyDictionary<string, FieldDefinition> _writable;
    private readonly MqttClientFactory _factory = new();

    private readonly ConcurrentDictionary<byte, PackStatus> _latest = new();
    private readonly ConcurrentDictionary<byte, bool> _dirty = new();

    /// <summary>A single "there is work" token: feed updates, HA's birth and a lost connection set it.</summary>
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private readonly Channel<WriteCommand> _commands = Channel.CreateBounded<WriteCommand>(
        new BoundedChannelOptions(32) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Lock _statusLock = new();
    private MqttBridgeStatus _status;
    private volatile IMqttClient? _connectedClient;
    private long _birthDueAtMs;
    private int _running;
    private string? _lastFailureLogged;
    private long _lastFailureLoggedAtMs;
    private int _failedAttempts;
    private bool _lossLogged;
    private long _lastLossLoggedAtMs;
    private int _lossesNotLogged;
    private bool _lossSuppressed;

    /// <param name="log">Where log lines go: stderr for `seplos mqtt`, the log pane in the dashboard.</param>
    /// <param name="writeHandler">The write pipeline; needed only when <see cref="MqttOptions.AllowWrites"/> is on.</param>
    public MqttBridge(MqttOptions options, Action<BusEventLevel, string> log, IMqttWriteHandler? writeHandler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Server);
        _options = options;
        _log = log;
        _writeHandler = writeHandler;
        _topics = new MqttTopics(options.Prefix, options.DiscoveryPrefix);
        _discovery = new HomeAssistantDiscovery(options, _topics);
        _writable = options.WritableFields().ToDictionary(f => f.Key, StringComparer.Ordinal);
        _status = new MqttBridgeStatus(MqttConnectionState.Disconnected, MqttConnectionErrors.Where(options), null, DateTimeOffset.UtcNow);
    }

    public MqttOptions Options => _options;

    public MqttTopics Topics => _topics;

    /// <summary>The connection state now; <see cref="StatusChanged"/> says when it changes.</summary>
    public MqttBridgeStatus Status
    {
        get
        {
            lock (_statusLock)
            {
                return _status;
            }
        }
    }

    /// <summary>Raised on the bridge's task when the connection state or its error changes.</summary>
    public event EventHandler<MqttBridgeStatus>? StatusChanged;

    /// <summary>
    /// Raised each time the bridge's loop goes round: a publish pass finished, or a connection attempt
    /// begins. The systemd watchdog's proof that the loop is not stuck (Hosting/SystemdService.cs).
    /// </summary>
    public event EventHandler? LoopTurned;

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> is cancelled, then publishes <c>offline</c>
    /// for the bridge and every pack and disconnects cleanly. Never throws for broker trouble.
    /// </summary>
    public async Task RunAsync(IPackFeed feed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(feed);
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("The MQTT bridge is already running.");
        }
        foreach (var status in feed.AllStatus)
        {
            _latest[status.Address] = status;
        }
        feed.PackUpdated += OnPackUpdated;
        _log(BusEventLevel.Info, $"MQTT bridge: {_options}");
        if (_options.AllowWrites && _writable.Count == 0)
        {
            _log(BusEventLevel.Warning, "MQTT: allow_writes is on but write_allow_list names no writable parameter; no commands are accepted");
        }
        var commandWorker = _writable.Count > 0 ? Task.Run(() => ProcessCommandsAsync(cancellationToken), CancellationToken.None) : Task.CompletedTask;
        try
        {
            var retryDelay = _options.MinReconnectDelay;
            while (!cancellationToken.IsCancellationRequested)
            {
                LoopTurned?.Invoke(this, EventArgs.Empty);
                var connectedFor = await RunOneConnectionAsync(cancellationToken).ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                // A connection that held for a while and then dropped is retried soon. One dropped
                // at once (a duplicate client id, an ACL kick) counts as a failure like a refusal:
                // otherwise such a broker would be hammered every second for months.
                if (connectedFor >= StableSession)
                {
                    retryDelay = _options.MinReconnectDelay;
                }
                try
                {
                    await Task.Delay(retryDelay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
            }
        }
        finally
        {
            feed.PackUpdated -= OnPackUpdated;
            await commandWorker.ConfigureAwait(false);
            SetStatus(MqttConnectionState.Disconnected, null);
            Volatile.Write(ref _running, 0);
        }
    }

    private void OnPackUpdated(object? sender, PackStatus status)
    {
        _latest[status.Address] = status;
        _dirty[status.Address] = true;
        Wake();
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>
    /// How long a session must last to count as working: a minute, or one full republish when that
    /// is shorter (by then everything has been delivered once).
    /// </summary>
    private TimeSpan StableSession => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(60).Ticks, _options.RepublishInterval.Ticks));

    /// <summary>One connection from attempt to loss or stop: how long it was connected, null when it never was.</summary>
    private async Task<TimeSpan?> RunOneConnectionAsync(CancellationToken cancellationToken)
    {
        using var client = _factory.CreateMqttClient();
        var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Never reconnect from here (deadlock risk, platform notes): note the loss and wake the loop.
        client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected)
            {
                lost.TrySetResult(e.Exception?.GetBaseException().Message ?? (string.IsNullOrEmpty(e.ReasonString) ? "the broker closed the connection" : e.ReasonString));
                Wake();
            }
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;

        SetStatus(MqttConnectionState.Connecting, Status.LastError);
        string? failure;
        try
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(_options.ConnectTimeout);
            var result = await client.ConnectAsync(BuildClientOptions(), attempt.Token).ConfigureAwait(false);
            failure = result.ResultCode == MqttClientConnectResultCode.Success ? null : MqttConnectionErrors.Refused(result, _options);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex)
        {
            failure = MqttConnectionErrors.Describe(ex, _options);
        }
        if (failure is not null)
        {
            ReportFailure(failure);
            return null;
        }

        var connectedAt = Environment.TickCount64;
        TimeSpan ConnectedFor() => TimeSpan.FromMilliseconds(Environment.TickCount64 - connectedAt);
        ReportConnected();
        var session = new SessionState();
        try
        {
            _connectedClient = client;
            await SubscribeAsync(client, cancellationToken).ConfigureAwait(false);
            await RunSessionAsync(client, session, lost.Task, cancellationToken).ConfigureAwait(false);
            var reason = await lost.Task.ConfigureAwait(false);
            ReportLost(reason, ConnectedFor());
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping. MQTTnet may report a cancelled QoS 1 publish as a time-out, not a cancellation.
            await GoOfflineAsync(client).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ReportLost(lost.Task.IsCompleted ? lost.Task.Result : ex.GetBaseException().Message, ConnectedFor());
        }
        finally
        {
            _connectedClient = null;
        }
        return ConnectedFor();
    }

    private MqttClientOptions BuildClientOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Server, _options.Port)
            .WithClientId(_options.ClientId)
            .WithTimeout(_options.ConnectTimeout)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithCleanStart(true)
            // The will covers one topic: the bridge's. Entities list it next to the pack's topic.
            .WithWillTopic(_topics.BridgeAvailability)
            .WithWillPayload(MqttTopics.Offline)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (_options.User is { Length: > 0 } user)
        {
            builder = builder.WithCredentials(user, _options.Password ?? "");
        }
        if (_options.Tls)
        {
            builder = builder.WithTlsOptions(tls => tls.UseTls());
        }
        return builder.Build();
    }

    private async Task SubscribeAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var subscription = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(_topics.HomeAssistantStatus, MqttQualityOfServiceLevel.AtLeastOnce, noLocal: false, retainAsPublished: false, MqttRetainHandling.SendAtSubscribe);
        // Without allow_writes no command topic is subscribed at all: nothing to refuse, nothing to exploit.
        foreach (var key in _writable.Keys.Order(StringComparer.Ordinal))
        {
            subscription = subscription.WithTopicFilter(_topics.CommandFilter(key), MqttQualityOfServiceLevel.AtLeastOnce, noLocal: false, retainAsPublished: false, MqttRetainHandling.DoNotSendOnSubscribe);
        }
        var result = await client.SubscribeAsync(subscription.Build(), cancellationToken).ConfigureAwait(false);
        foreach (var item in result.Items.Where(i => (int)i.ResultCode > (int)MqttClientSubscribeResultCode.GrantedQoS2))
        {
            _log(BusEventLevel.Warning, $"MQTT: broker refused the subscription to {item.TopicFilter.Topic} ({item.ResultCode})");
        }
    }

    /// <summary>Publishes everything once, then changes as they come, until the connection is lost.</summary>
    private async Task RunSessionAsync(IMqttClient client, SessionState session, Task lost, CancellationToken cancellationToken)
    {
        var nextFullPublish = Environment.TickCount64;
        while (!lost.IsCompleted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = Environment.TickCount64;
            var full = now >= nextFullPublish;
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
            LoopTurned?.Invoke(this, EventArgs.Empty);

            var wakeAt = birthDue != 0 ? Math.Min(nextFullPublish, birthDue) : nextFullPublish;
            await WaitForWorkAsync(TimeSpan.FromMilliseconds(Math.Max(1, wakeAt - Environment.TickCount64)), cancellationToken).ConfigureAwait(false);
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
            await PublishAsync(client, _topics.BridgeAvailability, MqttTopics.Online, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
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
    }

    private async Task PublishPackAsync(IMqttClient client, SessionState session, PackStatus status, CancellationToken cancellationToken)
    {
        var address = status.Address;

        // Discovery first (retained), for keys not announced yet in this session; all again when
        // the device block (serial, model, firmware) changed.
        var signature = HomeAssistantDiscovery.DeviceSignature(status.Snapshot);
        var announced = session.Announced(address, signature);
        foreach (var message in _discovery.For(status, topic => !announced.Contains(topic)))
        {
            await PublishAsync(client, message.Topic, message.Payload, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
            announced.Add(message.Topic);
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
            await PublishAsync(client, _topics.State(address, value.Key), value.Payload, MqttQualityOfServiceLevel.AtMostOnce, cancellationToken).ConfigureAwait(false);
            published[value.Key] = value;
        }

        var availability = online ? MqttTopics.Online : MqttTopics.Offline;
        if (!session.PackAvailability.TryGetValue(address, out var previous) || previous != availability)
        {
            await PublishAsync(client, _topics.PackAvailability(address), availability, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
            if (previous is not null)
            {
                _log(online ? BusEventLevel.Info : BusEventLevel.Warning, $"MQTT: pack {address} is {availability}");
            }
            session.PackAvailability[address] = availability;
        }
    }

    /// <summary>
    /// Sensors the pack says are not fitted (temperature sensors past ntc_count …) are not
    /// entities: a config announced before the count was read (or by an earlier run, retained on
    /// the broker) gets its empty retained payload, and so does its retained state. Once per
    /// session, and again after it was announced anew.
    /// </summary>
    private async Task WithdrawNotFittedAsync(IMqttClient client, SessionState session, PackStatus status, HashSet<string> announced, CancellationToken cancellationToken)
    {
        var withdrawn = session.Withdrawn(status.Address);
        foreach (var field in status.Snapshot.NotFitted)
        {
            var topic = _topics.DiscoveryConfig("sensor", status.Address, field.Key);
            if (withdrawn.Contains(topic) && !announced.Contains(topic))
            {
                continue;
            }
            await PublishAsync(client, topic, "", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
            await PublishAsync(client, _topics.State(status.Address, field.Key), "", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken).ConfigureAwait(false);
            announced.Remove(topic);
            withdrawn.Add(topic);
            session.Published(status.Address).Remove(field.Key);
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

    private async Task PublishAsync(IMqttClient client, string topic, string payload, MqttQualityOfServiceLevel qos, CancellationToken cancellationToken, bool retain = true)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(qos)
            .WithRetainFlag(retain)
            .Build();
        var result = await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            _log(BusEventLevel.Warning, $"MQTT: broker refused the publish to {topic} ({result.ReasonCode})");
        }
    }

    private Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        var payload = message.ConvertPayloadToString() ?? "";
        if (message.Topic == _topics.HomeAssistantStatus)
        {
            // A retained "online" comes at every subscribe; discovery was just sent then anyway.
            if (!message.Retain && payload.Trim().Equals(MqttTopics.Online, StringComparison.OrdinalIgnoreCase))
            {
                var min = _options.MinBirthDelay.TotalMilliseconds;
                var max = Math.Max(min, _options.MaxBirthDelay.TotalMilliseconds);
                var delay = (long)(min + (Random.Shared.NextDouble() * (max - min)));
                Interlocked.Exchange(ref _birthDueAtMs, Environment.TickCount64 + Math.Max(1, delay));
                Wake();
            }
            return Task.CompletedTask;
        }
        if (_writable.Count > 0 && _topics.ParseCommand(message.Topic) is { } command)
        {
            if (message.Retain)
            {
                // A retained command would be written again at every reconnect.
                _log(BusEventLevel.Warning, $"MQTT: ignored a retained command on {message.Topic}; publish commands without retain");
            }
            else if (!_commands.Writer.TryWrite(new WriteCommand(command.Address, command.Key, payload.Trim())))
            {
                _log(BusEventLevel.Warning, $"MQTT: too many commands waiting; ignored {message.Topic} = {InputEcho.Shorten(payload)}");
            }
        }
        return Task.CompletedTask;
    }

    private async Task ProcessCommandsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var command in _commands.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var result = await ExecuteAsync(command, cancellationToken).ConfigureAwait(false);
                // The one log line per command: it also covers the ones refused here, which never
                // reach the write queue (the front ends do not log the queue's MQTT writes again).
                _log(result.Outcome == MqttWriteOutcome.Confirmed ? BusEventLevel.Info : BusEventLevel.Warning,
                    $"MQTT write pack {command.Address} {command.Key} = {InputEcho.Shorten(command.Value)}: {result.Outcome.ToString().ToLowerInvariant()}{(result.Message.Length > 0 ? " (" + result.Message + ")" : "")}");
                await PublishResultAsync(command, result, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Asked to stop: the loop ends here.
        }
    }

    private async Task<MqttWriteResult> ExecuteAsync(WriteCommand command, CancellationToken cancellationToken)
    {
        if (!_writable.TryGetValue(command.Key, out var field))
        {
            return _writeHandler?.Refused(command.Address, command.Key, command.Value, $"{command.Key} is not in write_allow_list") ?? MqttWriteResult.Refused($"{command.Key} is not in write_allow_list");
        }
        if (!_latest.ContainsKey(command.Address))
        {
            return _writeHandler?.Refused(command.Address, field.Key, command.Value, $"no pack {command.Address} on this bus") ?? MqttWriteResult.Refused($"no pack {command.Address} on this bus");
        }
        // The number, its unit and the range are the pipeline's to check: it parses the way
        // `seplos edit` does and journals the refusal, which a check here would keep off the record.
        if (_writeHandler is null)
        {
            return MqttWriteResult.Refused("writes are not available in this front end");
        }
        try
        {
            return await _writeHandler.WriteAsync(command.Address, field.Key, command.Value, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return MqttWriteResult.Failed(ex.Message);
        }
    }

    private async Task PublishResultAsync(WriteCommand command, MqttWriteResult result, CancellationToken cancellationToken)
    {
        if (_connectedClient is not { IsConnected: true } client)
        {
            _log(BusEventLevel.Warning, $"MQTT: not connected; the result of {command.Key} for pack {command.Address} was not published");
            return;
        }
        var payload = new JsonObject
        {
            ["result"] = result.Outcome.ToString().ToLowerInvariant(),
            ["message"] = result.Message,
            ["value"] = InputEcho.Shorten(command.Value),
            ["time"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        }.ToJsonString(HomeAssistantDiscovery.JsonOptions);
        try
        {
            // Not retained: an old result shown as new after a restart would mislead.
            await PublishAsync(client, _topics.CommandResult(command.Address, command.Key), payload, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken, retain: false).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log(BusEventLevel.Warning, $"MQTT: could not publish the result of {command.Key} for pack {command.Address}: {ex.Message}");
        }
    }

    /// <summary>A clean stop: the last will is discarded by DISCONNECT, so say offline ourselves.</summary>
    private async Task GoOfflineAsync(IMqttClient client)
    {
        if (!client.IsConnected)
        {
            // Already gone: the broker has published the last will for the bridge.
            return;
        }
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
        try
        {
            foreach (var address in _latest.Keys.Order())
            {
                await PublishAsync(client, _topics.PackAvailability(address), MqttTopics.Offline, MqttQualityOfServiceLevel.AtLeastOnce, timeout.Token).ConfigureAwait(false);
            }
            await PublishAsync(client, _topics.BridgeAvailability, MqttTopics.Offline, MqttQualityOfServiceLevel.AtLeastOnce, timeout.Token).ConfigureAwait(false);
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token).ConfigureAwait(false);
            _log(BusEventLevel.Info, $"MQTT: published offline and disconnected from {MqttConnectionErrors.Where(_options)}");
        }
        catch (Exception ex)
        {
            _log(BusEventLevel.Warning, $"MQTT: could not publish offline before stopping: {ex.Message}");
        }
    }

    private void ReportConnected()
    {
        // After a loss that was not logged (a broker that keeps dropping us), the reconnect is not news either.
        if (!_lossSuppressed)
        {
            _log(BusEventLevel.Info, $"MQTT: connected to {MqttConnectionErrors.Where(_options)} as {_options.ClientId}" + (_failedAttempts > 1 ? $" after {_failedAttempts} failed attempts" : ""));
        }
        _failedAttempts = 0;
        _lastFailureLogged = null;
        SetStatus(MqttConnectionState.Connected, null);
    }

    /// <summary>
    /// Like <see cref="ReportFailure"/>, rate-limited: a broker that accepts and drops the bridge at
    /// once (duplicate client id, ACL kick) gets one line, then one every ten minutes with a count,
    /// not one a second. The reasons of such drops vary (closed by the broker, a publish that failed),
    /// so it is the short sessions that are counted, not the reason. A loss after a session that held
    /// (<see cref="StableSession"/>) is always news.
    /// </summary>
    private void ReportLost(string reason, TimeSpan connectedFor)
    {
        if (connectedFor >= StableSession)
        {
            _lossLogged = false;
        }
        var now = Environment.TickCount64;
        _lossSuppressed = _lossLogged && now - _lastLossLoggedAtMs < 600_000;
        if (_lossSuppressed)
        {
            _lossesNotLogged++;
        }
        else
        {
            var repeat = _lossLogged ? $" (dropped {_lossesNotLogged + 1} times in {TimeSpan.FromMilliseconds(now - _lastLossLoggedAtMs).TotalMinutes:0} min, each soon after connecting)" : "";
            _log(BusEventLevel.Warning, $"MQTT: connection to {MqttConnectionErrors.Where(_options)} lost after {connectedFor.TotalSeconds:0.#} s: {reason}{repeat}; reconnecting");
            _lossLogged = true;
            _lastLossLoggedAtMs = now;
            _lossesNotLogged = 0;
        }
        SetStatus(MqttConnectionState.Disconnected, reason);
    }

    /// <summary>
    /// One line per new kind of failure; the same failure again only every ten minutes, so a
    /// bridge left running against a dead broker does not fill the journal.
    /// </summary>
    private void ReportFailure(string failure)
    {
        _failedAttempts++;
        var now = Environment.TickCount64;
        if (failure != _lastFailureLogged || now - _lastFailureLoggedAtMs >= 600_000)
        {
            var repeat = failure == _lastFailureLogged ? $" (still failing, {_failedAttempts} attempts)" : "";
            _log(BusEventLevel.Error, $"MQTT: {failure}{repeat}; retrying up to every {_options.MaxReconnectDelay.TotalSeconds:0.#} s");
            _lastFailureLogged = failure;
            _lastFailureLoggedAtMs = now;
        }
        SetStatus(MqttConnectionState.Disconnected, failure);
    }

    private void SetStatus(MqttConnectionState state, string? error)
    {
        MqttBridgeStatus changed;
        lock (_statusLock)
        {
            if (_status.State == state && _status.LastError == error)
            {
                return;
            }
            changed = _status = _status with { State = state, LastError = error, Since = DateTimeOffset.UtcNow };
        }
        try
        {
            StatusChanged?.Invoke(this, changed);
        }
        catch (Exception ex)
        {
            // A status bar that throws must not take the bridge down with it.
            _log(BusEventLevel.Warning, $"MQTT: a status listener failed: {ex.Message}");
        }
    }

    private sealed record WriteCommand(byte Address, string Key, string Value);

    /// <summary>What this connection has published; forgotten on reconnect so everything goes out again.</summary>
    private sealed class SessionState
    {
        private readonly Dictionary<byte, Dictionary<string, StateValue>> _published = [];
        private readonly Dictionary<byte, (string Signature, HashSet<string> Topics)> _announced = [];
        private readonly Dictionary<byte, HashSet<string>> _withdrawn = [];

        public string? BridgeAvailability { get; set; }

        public Dictionary<byte, string> PackAvailability { get; } = [];

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
            BridgeAvailability = null;
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
