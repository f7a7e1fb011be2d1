using MQTTnet;
using MQTTnet.Protocol;
using SeplosConsole.Services;

namespace SeplosConsole.Mqtt;

/// <summary>One connection to the broker, from attempt to loss; what a session runs on.</summary>
/// <param name="Lost">Completes with the reason when the connection is lost.</param>
internal sealed record MqttSession(IMqttClient Client, Task<string> Lost);

/// <summary>
/// Connection supervision, for the bridge and the broker-fed viewer alike. MQTTnet 5 has no managed
/// client (platform notes), so this loop connects, runs the owner's session on the connection,
/// notices the loss, and reconnects with back-off (1 s doubling to 30 s), logging each kind of
/// trouble once (<see cref="ConnectionLogLimiter"/>). On stop it lets the owner say goodbye, then
/// disconnects cleanly. Status and the received-message handler may be used from any thread.
/// </summary>
internal sealed class MqttConnectionLoop
{
    private readonly MqttOptions _options;
    private readonly Action<BusEventLevel, string> _log;
    private readonly string? _willTopic;
    private readonly MqttClientFactory _factory = new();
    private readonly ConnectionLogLimiter _limiter;
    private readonly Lock _statusLock = new();
    private MqttBridgeStatus _status;
    private volatile IMqttClient? _connectedClient;
    private readonly MqttTls? _tls;

    /// <param name="willTopic">Retained <c>offline</c> published by the broker if this client dies; null for none.</param>
    public MqttConnectionLoop(MqttOptions options, Action<BusEventLevel, string> log, string? willTopic)
    {
        _options = options;
        _log = log;
        _willTopic = willTopic;
        _limiter = new ConnectionLogLimiter(options, StableSession);
        _tls = MqttTls.From(options);
        _status = new MqttBridgeStatus(MqttConnectionState.Disconnected, MqttConnectionErrors.Where(options), null, DateTimeOffset.UtcNow);
    }

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

    /// <summary>Raised on the loop's task when the connection state or its error changes.</summary>
    public event EventHandler<MqttBridgeStatus>? StatusChanged;

    /// <summary>Every message received on any connection, in the order received (MQTTnet's receive task).</summary>
    public Func<MqttApplicationMessageReceivedEventArgs, Task>? MessageReceived { get; set; }

    /// <summary>Called before each connection attempt (the systemd watchdog's sign of life).</summary>
    public Action? AttemptStarting { get; set; }

    /// <summary>The client while connected, else null: for work outside the session (command results).</summary>
    public IMqttClient? ConnectedClient => _connectedClient is { IsConnected: true } client ? client : null;

    /// <summary>
    /// How long a session must last to count as working: a minute, or one full republish when that
    /// is shorter (by then everything has been delivered once).
    /// </summary>
    private TimeSpan StableSession => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(60).Ticks, _options.RepublishInterval.Ticks));

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> is cancelled. <paramref name="runSession"/>
    /// runs on each connection until it is lost; <paramref name="goodbye"/> runs on the live
    /// connection when stopping, before the clean DISCONNECT. Never throws for broker trouble.
    /// </summary>
    public async Task RunAsync(Func<MqttSession, CancellationToken, Task> runSession, Func<IMqttClient, CancellationToken, Task> goodbye, CancellationToken cancellationToken)
    {
        try
        {
            var retryDelay = _options.MinReconnectDelay;
            while (!cancellationToken.IsCancellationRequested)
            {
                AttemptStarting?.Invoke();
                var connectedFor = await RunOneConnectionAsync(runSession, goodbye, cancellationToken).ConfigureAwait(false);
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
            SetStatus(MqttConnectionState.Disconnected, null);
        }
    }

    /// <summary>One connection from attempt to loss or stop: how long it was connected, null when it never was.</summary>
    private async Task<TimeSpan?> RunOneConnectionAsync(Func<MqttSession, CancellationToken, Task> runSession, Func<IMqttClient, CancellationToken, Task> goodbye, CancellationToken cancellationToken)
    {
        using var client = _factory.CreateMqttClient();
        var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Never reconnect from here (deadlock risk, platform notes): note the loss; the session ends on it.
        client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected)
            {
                lost.TrySetResult(e.Exception?.GetBaseException().Message ?? (string.IsNullOrEmpty(e.ReasonString) ? "the broker closed the connection" : e.ReasonString));
            }
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += e => MessageReceived?.Invoke(e) ?? Task.CompletedTask;

        SetStatus(MqttConnectionState.Connecting, Status.LastError);
        string? failure;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
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
            failure = _tls?.TakeFailure() is { } refused
                ? $"TLS: the certificate of {MqttConnectionErrors.Where(_options)} does not verify: {refused}; not connecting (never without TLS)"
                // A server that accepts the connection and never answers: MQTTnet reports the
                // channel it closed on the time-out ("Connection closed"), not the time-out.
                : attempt.IsCancellationRequested ? MqttConnectionErrors.Describe(new TimeoutException(), _options)
                : MqttConnectionErrors.Describe(ex, _options);
        }
        if (failure is not null)
        {
            Log(_limiter.Failed(failure, Environment.TickCount64));
            SetStatus(MqttConnectionState.Disconnected, failure);
            return null;
        }

        var connectedAt = Environment.TickCount64;
        TimeSpan ConnectedFor() => TimeSpan.FromMilliseconds(Environment.TickCount64 - connectedAt);
        Log(_limiter.Connected(connectedAt));
        SetStatus(MqttConnectionState.Connected, null);
        try
        {
            _connectedClient = client;
            await runSession(new MqttSession(client, lost.Task), cancellationToken).ConfigureAwait(false);
            ReportLost(await lost.Task.ConfigureAwait(false), ConnectedFor());
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping. MQTTnet may report a cancelled QoS 1 publish as a time-out, not a cancellation.
            await SayGoodbyeAsync(client, goodbye).ConfigureAwait(false);
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

    private void ReportLost(string reason, TimeSpan connectedFor)
    {
        Log(_limiter.Lost(reason, connectedFor, Environment.TickCount64));
        SetStatus(MqttConnectionState.Disconnected, reason);
    }

    private void Log((BusEventLevel Level, string Line)? line)
    {
        if (line is { } l)
        {
            _log(l.Level, l.Line);
        }
    }

    private MqttClientOptions BuildClientOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Server, _options.Port)
            .WithClientId(_options.ClientId)
            .WithTimeout(_options.ConnectTimeout)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithCleanStart(true);
        if (_willTopic is not null)
        {
            // The will covers one topic: the bridge's. Entities list it next to the pack's topic.
            builder = builder
                .WithWillTopic(_willTopic)
                .WithWillPayload(MqttTopics.Offline)
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }
        if (_options.User is { Length: > 0 } user)
        {
            builder = builder.WithCredentials(user, _options.Password ?? "");
        }
        if (_tls is not null)
        {
            builder = builder.WithTlsOptions(_tls.Configure);
        }
        return builder.Build();
    }

    /// <summary>A clean stop: the last will is discarded by DISCONNECT, so the owner says offline itself first.</summary>
    private async Task SayGoodbyeAsync(IMqttClient client, Func<IMqttClient, CancellationToken, Task> goodbye)
    {
        if (!client.IsConnected)
        {
            // Already gone: the broker has published the last will.
            return;
        }
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
        try
        {
            await goodbye(client, timeout.Token).ConfigureAwait(false);
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), timeout.Token).ConfigureAwait(false);
            _log(BusEventLevel.Info, $"MQTT: published offline and disconnected from {MqttConnectionErrors.Where(_options)}");
        }
        catch (Exception ex)
        {
            _log(BusEventLevel.Warning, $"MQTT: could not publish offline before stopping: {ex.Message}");
        }
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
}
