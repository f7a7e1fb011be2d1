using System.CommandLine;
using SeplosConsole.Config;

namespace SeplosConsole.Cli;

/// <summary>Options every command takes; they override seplos.ini.</summary>
public sealed class GlobalOptions
{
    public Option<string?> Port { get; } = new("--port")
    {
        Description = "Serial device (/dev/ttyUSB0, /dev/serial/by-id/…), tcp://host:port for an RS485 gateway, sim, or mqtt://broker[:port]/prefix for what `seplos mqtt` bridges publish (dashboard, show, all, watch; edit through a bridge that allows writes)",
        Recursive = true,
    };

    public Option<bool> Simulate { get; } = new("--simulate")
    {
        Description = "Use the built-in simulator instead of hardware (same as --port sim)",
        Recursive = true,
    };

    public Option<string?> Address { get; } = new("--address")
    {
        Description = "Pack address(es) set by the DIP switches: 0, 0,1,2 or 0-3 (default 0)",
        Recursive = true,
    };

    public Option<bool> Listen { get; } = new("--listen")
    {
        Description = "Never transmit: follow the traffic of the bus master (pack 0 of a parallel system) for every pack heard",
        Recursive = true,
    };

    public Option<bool> Mqtt { get; } = new("--mqtt")
    {
        Description = "Read the packs from the MQTT broker of [mqtt] (what `seplos mqtt` bridges publish), no serial port; every bridge on it; same as --port mqtt://server:port/+",
        Recursive = true,
    };

    public Option<string?> Config { get; } = new("--config")
    {
        Description = "Read settings from this file instead of ./seplos.ini and ./seplos.secret.ini",
        Recursive = true,
    };

    public Option<string?> Record { get; } = new("--record")
    {
        Description = "Also record what is read from the packs to this file (replay it with --replay, summarise it with `seplos report`)",
        Recursive = true,
    };

    public Option<string?> Replay { get; } = new("--replay")
    {
        Description = "Play a recording instead of reading a bus (read-only)",
        Recursive = true,
    };

    public Option<double?> Speed { get; } = new("--speed")
    {
        Description = "With --replay: play N times faster than recorded (default 1)",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Record);
        root.Options.Add(Replay);
        root.Options.Add(Speed);
        root.Options.Add(Port);
        root.Options.Add(Simulate);
        root.Options.Add(Address);
        root.Options.Add(Listen);
        root.Options.Add(Mqtt);
        root.Options.Add(Config);
    }

    /// <summary>The settings the running command resolved, for error messages.</summary>
    public SeplosSettings? Resolved { get; private set; }

    /// <summary>seplos.ini, then environment variables, then these options.</summary>
    public SeplosSettings Resolve(ParseResult parse, CliContext context)
    {
        var settings = SeplosSettings.Load(parse.GetValue(Config), context.Directory);
        foreach (var warning in settings.Warnings)
        {
            context.Error.WriteLine($"warning: {warning}");
        }
        if (parse.GetValue(Port) is { } port)
        {
            if (port.Trim().Length == 0)
            {
                throw new UsageException("--port: no port named (e.g. /dev/ttyUSB0, tcp://host:502 or sim)");
            }
            settings = settings with { Port = port };
        }
        if (parse.GetValue(Simulate))
        {
            settings = settings with { Port = "sim" };
        }
        if (parse.GetValue(Mqtt))
        {
            settings = settings with { Port = RemoteBus.PortFromSection(settings) };
        }
        if (parse.GetValue(Listen))
        {
            settings = settings with { Listen = true };
        }
        if (parse.GetValue(Address) is { } addressText)
        {
            if (!AddressList.TryParse(addressText, out var addresses, out var error))
            {
                throw new UsageException($"--address: {error}");
            }
            settings = settings with { Addresses = addresses, AddressesChosen = true };
        }
        settings = RecordingOptions.Apply(settings, parse.GetValue(Record), parse.GetValue(Replay), parse.GetValue(Speed), context.Directory);
        if (!settings.IsSimulator && settings.ReplayFile is null && Directory.Exists(Path.GetFullPath(settings.Port, context.Directory)))
        {
            // Else the serial port reports it as missing, which sends the user looking for a cable.
            throw new CliException($"port {settings.Port} is a directory, not a serial device (e.g. /dev/ttyUSB0 or /dev/serial/by-id/…)");
        }
        Resolved = settings;
        return settings;
    }
}
