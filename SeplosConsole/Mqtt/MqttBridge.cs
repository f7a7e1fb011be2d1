using MQTTnet;
using SeplosConsole.Services;

namespace SeplosConsole.Mqtt;

/// <summary>
/// Mirrors the packs of an <see cref="IPackFeed"/> to MQTT with Home Assistant discovery, for
/// months on end. It joins three parts, one job each: <see cref="MqttConnectionLoop"/> (connect,
/// reconnect with back-off, rate-limited log lines), <see cref="MqttStatePublisher"/> (discovery,
/// availability, state) and <see cref="MqttCommandHandler"/> (parameter commands).
/// </summary>
public sealed class MqttBridge
{
    private readonly MqttOptions _options;
    private readonly Action<BusEventLevel, string> _log;
    private readonly MqttTopics _topics;
    private readonly MqttConnectionLoop _connection;
    private readonly MqttStatePublisher _publisher;
    private readonly MqttCommandHandler _commands;
    private int _running;

    /// <param name="log">Where log lines go: stderr for `seplos mqtt`, the log pane in the dashboard.</param>
    /// <param name="writeHandler">The write pipeline; needed only when <see cref="MqttOptions.AllowWrites"/> is on.</param>
    public MqttBridge(MqttOptions options, Action<BusEventLevel, string> log, IMqttWriteHandler? writeHandler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Server);
        _options = options;
        _log = log;
        _topics = new MqttTopics(options.Prefix, options.DiscoveryPrefix);
        _connection = new MqttConnectionLoop(options, log, _topics.BridgeAvailability);
        _publisher = new MqttStatePublisher(options, _topics, log);
        _commands = new MqttCommandHandler(options, _topics, log, writeHandler, _publisher.Knows, () => _connection.ConnectedClient);
        _connection.MessageReceived = OnMessageReceivedAsync;
        _connection.StatusChanged += (_, status) => StatusChanged?.Invoke(this, status);
        _connection.AttemptStarting = () => LoopTurned?.Invoke(this, EventArgs.Empty);
        _publisher.PassPublished = () => LoopTurned?.Invoke(this, EventArgs.Empty);
    }

    public MqttOptions Options => _options;

    public MqttTopics Topics => _topics;

    /// <summary>The connection state now; <see cref="StatusChanged"/> says when it changes.</summary>
    public MqttBridgeStatus Status => _connection.Status;

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
        _publisher.Start(feed.AllStatus);
        feed.PackUpdated += OnPackUpdated;
        _log(BusEventLevel.Info, $"MQTT bridge: {_options}");
        foreach (var warning in MqttSettings.AllowListWarnings(_options))
        {
            _log(BusEventLevel.Warning, "MQTT: " + warning);
        }
        if (_options.AllowWrites && !_commands.Enabled)
        {
            _log(BusEventLevel.Warning, "MQTT: allow_writes is on but write_allow_list names no writable parameter; no commands are accepted");
        }
        var commandWorker = Task.Run(() => _commands.RunAsync(cancellationToken), CancellationToken.None);
        try
        {
            await _connection.RunAsync(RunSessionAsync, _publisher.GoOfflineAsync, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            feed.PackUpdated -= OnPackUpdated;
            await commandWorker.ConfigureAwait(false);
            Volatile.Write(ref _running, 0);
        }
    }

    private void OnPackUpdated(object? sender, PackStatus status) => _publisher.Track(status);

    private async Task RunSessionAsync(MqttSession session, CancellationToken cancellationToken)
    {
        // Without allow_writes no command topic is subscribed at all: nothing to refuse, nothing to exploit.
        var subscription = _commands.Subscribe(_publisher.Subscribe(new MqttClientSubscribeOptionsBuilder()));
        var result = await session.Client.SubscribeAsync(subscription.Build(), cancellationToken).ConfigureAwait(false);
        foreach (var item in result.Items.Where(i => (int)i.ResultCode > (int)MqttClientSubscribeResultCode.GrantedQoS2))
        {
            _log(BusEventLevel.Warning, $"MQTT: broker refused the subscription to {item.TopicFilter.Topic} ({item.ResultCode})");
        }
        await _publisher.RunSessionAsync(session, cancellationToken).ConfigureAwait(false);
    }

    private Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        var payload = message.ConvertPayloadToString() ?? "";
        _ = _publisher.TryAccept(message, payload) || _commands.TryAccept(message, payload);
        return Task.CompletedTask;
    }
}
