using SeplosConsole.Mqtt;
using SeplosConsole.Services;

namespace SeplosConsole.Hosting;

/// <summary>
/// Tells systemd how the bridge is doing (Type=notify, WatchdogSec=; see packaging/seplos-mqtt.service):
/// READY=1 once <see cref="ServiceHealth.IsReady"/>, WATCHDOG=1 every half watchdog interval while
/// both loops are alive (a hung loop stops the pings and systemd restarts the service),
/// STATUS= with the broker connection, and STOPPING=1 when asked to stop.
/// </summary>
public sealed class SystemdService
{
    /// <summary>
    /// How long a loop may stand still before it counts as hung. The bridge's longest honest pause is
    /// a reconnect: 30 s back-off plus a 10 s connect time-out (MqttOptions); the poll loop's is one
    /// interval plus a poll of an unanswering pack (a few seconds). Twice the longer of the two.
    /// </summary>
    public static TimeSpan StallLimitFor(MqttOptions options, TimeSpan pollInterval)
        => 2 * TimeSpan.FromTicks(Math.Max((options.MaxReconnectDelay + options.ConnectTimeout).Ticks, (pollInterval + TimeSpan.FromSeconds(10)).Ticks));

    private readonly SystemdNotifier _notifier;
    private readonly ServiceHealth _health;
    private readonly Func<string> _status;
    private readonly Action<BusEventLevel, string> _log;
    private readonly TimeProvider _time;

    public SystemdService(SystemdNotifier notifier, ServiceHealth health, Func<string> status, Action<BusEventLevel, string> log, TimeProvider? time = null)
    {
        _notifier = notifier;
        _health = health;
        _status = status;
        _log = log;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Wires <paramref name="feed"/> and <paramref name="bridge"/> to a health record and reports it to
    /// systemd until <paramref name="cancellationToken"/> stops the service. Without NOTIFY_SOCKET
    /// (not run by a Type=notify unit) it does nothing.
    /// </summary>
    public static async Task RunForBridgeAsync(IPackFeed feed, MqttBridge bridge, TimeSpan pollInterval, Action<BusEventLevel, string> log, CancellationToken cancellationToken)
    {
        SystemdNotifier? found;
        try
        {
            found = SystemdNotifier.FromEnvironment();
        }
        catch (ArgumentException ex)
        {
            log(BusEventLevel.Warning, ex.Message);
            return;
        }
        using var notifier = found;
        if (notifier is null)
        {
            return;
        }
        var health = new ServiceHealth(TimeProvider.System, StallLimitFor(bridge.Options, pollInterval), () => feed.IsLinkDown || feed.IsListenOnly);
        void OnPack(object? sender, PackStatus status) => health.BusTurned();
        void OnTurn(object? sender, EventArgs e) => health.BrokerTurned(bridge.Status.State == MqttConnectionState.Connected);
        feed.PackUpdated += OnPack;
        bridge.LoopTurned += OnTurn;
        try
        {
            await new SystemdService(notifier, health, () => bridge.Status.ToString(), log).RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            feed.PackUpdated -= OnPack;
            bridge.LoopTurned -= OnTurn;
        }
    }

    /// <summary>Reports until cancelled, then sends STOPPING=1. Never throws for systemd's sake.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Readiness is checked often (it gates `systemctl start`), then once a second (status changes,
        // pings): few wake-ups on a Raspberry Pi. Pings at half the watchdog interval, as
        // sd_watchdog_enabled(3) recommends.
        var startingTick = TimeSpan.FromMilliseconds(250);
        var runningTick = TimeSpan.FromSeconds(1);
        var pingEvery = _notifier.WatchdogInterval / 2;
        var nextPing = _time.GetUtcNow();
        var readySent = false;
        string? lastStatus = null;
        string? lastStall = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!readySent && _health.IsReady)
                {
                    readySent = true;
                    Send("READY=1");
                    _log(BusEventLevel.Info, "systemd: ready (first poll done, published to the broker)");
                }
                var status = _status();
                if (status != lastStatus)
                {
                    lastStatus = status;
                    Send("STATUS=" + status);
                }
                if (pingEvery is { } every && _time.GetUtcNow() >= nextPing)
                {
                    var stall = _health.Stall();
                    if (stall is null)
                    {
                        Send("WATCHDOG=1");
                        nextPing = _time.GetUtcNow() + every;
                    }
                    else if (lastStall is null)
                    {
                        // Logged once per stall: systemd restarts the service when the watchdog runs out.
                        _log(BusEventLevel.Error, $"watchdog: {stall}; no more watchdog pings, systemd will restart the service");
                    }
                    if (stall is null && lastStall is not null)
                    {
                        _log(BusEventLevel.Info, "watchdog: both loops are going round again");
                    }
                    lastStall = stall;
                }
                await Task.Delay(readySent ? runningTick : startingTick, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        Send("STOPPING=1");
    }

    private bool _sendFailing;

    /// <summary>Sends one state; a failure is logged once until a send works again (not every ping).</summary>
    private void Send(string state)
    {
        var error = _notifier.Notify(state);
        if (error is not null && !_sendFailing)
        {
            _log(BusEventLevel.Warning, error);
        }
        _sendFailing = error is not null;
    }
}
