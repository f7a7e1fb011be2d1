using System.CommandLine;
using SeplosConsole.Mqtt;
using SeplosConsole.Services;

namespace SeplosConsole.Cli;

/// <summary>
/// <c>seplos mqtt</c>: the headless bridge for systemd. Polls the packs and mirrors them to MQTT
/// with Home Assistant discovery until Ctrl+C or SIGTERM; logs one line per event on stderr.
/// </summary>
public static class MqttCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var command = new Command("mqtt", "Mirror the packs to MQTT / Home Assistant (for systemd; settings in [mqtt] of seplos.ini)");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = global.Resolve(parse, context);
            if (BrokerAddress.IsBroker(settings.Port))
            {
                // A bridge fed from a broker would publish other bridges' packs again as its own.
                throw RemoteBus.NeedsTheBus(settings.Port);
            }
            var options = ReadOptions(settings.Configuration)
                ?? throw new CliException("no MQTT broker configured: set server in the [mqtt] section of seplos.ini (see docs/mqtt.md)");
            var log = new StderrLog(context.Error);
            var bus = LiveBus.Create(settings);
            await using var busScope = bus.ConfigureAwait(false);
            bus.Feed.Event += (_, e) => log.Write(e.Level, e.ToString());
            // Writes come only from MQTT here, and the bridge logs each command with its result.
            if (bus.Writes is null && options.AllowWrites)
            {
                log.Write(BusEventLevel.Warning, "allow_writes is ignored: " + bus.WritesRefusedReason);
            }
            var bridge = new MqttBridge(options, log.Write, options.AllowWrites && bus.Writes is not null ? new WriteQueueHandler(bus.Writes) : null);
            log.Write(BusEventLevel.Info, settings.Listen
                ? $"listening on {settings.Port} (never transmitting); MQTT {options.Server}:{options.Port} as {options.ClientId}"
                : $"polling pack(s) {Config.AddressList.Format(settings.Addresses)} on {settings.Port}; MQTT {options.Server}:{options.Port} as {options.ClientId}");

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var metrics = MetricsHost.Start(settings.Configuration, bus.Feed, log.Write, stop.Token);
            await using var metricsScope = metrics.ConfigureAwait(false);
            var polling = bus.RunAsync(stop.Token);
            // The bridge publishes "offline" for every pack before it returns on cancellation.
            var bridging = bridge.RunAsync(bus.Feed, stop.Token);
            // Under systemd (Type=notify): READY=1, watchdog pings while both loops go round, STOPPING=1.
            var reporting = Hosting.SystemdService.RunForBridgeAsync(bus.Feed, bridge, settings.PollInterval, log.Write, stop.Token);
            // Neither ends on its own unless it failed. A dead poller must end the service (exit 1,
            // systemd restarts it), not leave the bridge republishing the last values as current.
            await Task.WhenAny(polling, bridging).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(polling, bridging, reporting).ConfigureAwait(false);
            log.Write(BusEventLevel.Info, "stopped");
            return SeplosCli.Ok;
        });
        return command;
    }

    /// <summary>The [mqtt] section; null when no server is set. A bad value is a clear error.</summary>
    public static MqttOptions? ReadOptions(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var (options, errors) = MqttSettings.Read(configuration);
        if (errors.Count > 0)
        {
            throw new CliException(string.Join("; ", errors));
        }
        try
        {
            // The certificate files are read now: one clear line at start, never a connection without them.
            _ = options is null ? null : MqttTls.From(options);
        }
        catch (MqttTlsSettingsException ex)
        {
            throw new CliException(ex.Message);
        }
        return options;
    }

    /// <summary>
    /// One line per event on stderr. Under systemd (JOURNAL_STREAM set) each line starts with a
    /// syslog priority such as &lt;4&gt;, which journald turns into the entry's level.
    /// </summary>
    private sealed class StderrLog(TextWriter error)
    {
        private readonly bool _journald = Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null;
        private readonly Lock _lock = new();

        public void Write(BusEventLevel level, string message)
        {
            var line = _journald
                ? $"<{(level switch { BusEventLevel.Error => 3, BusEventLevel.Warning => 4, _ => 6 })}>{message}"
                : $"{DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss} {(level switch { BusEventLevel.Error => "error", BusEventLevel.Warning => "warn ", _ => "info " })} {message}";
            lock (_lock)
            {
                error.WriteLine(line);
                error.Flush();
            }
        }
    }
}
