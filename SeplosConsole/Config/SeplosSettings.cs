using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace SeplosConsole.Config;

/// <summary>
/// Settings from seplos.ini (section [seplos]), seplos.secret.ini over it, then SEPLOS_
/// environment variables (e.g. SEPLOS_SEPLOS__SERIAL, SEPLOS_MQTT__PASS), then command-line options.
/// </summary>
public sealed record SeplosSettings
{
    public string Port { get; init; } = "/dev/ttyUSB0";
    public IReadOnlyList<byte> Addresses { get; init; } = [0];
    /// <summary>True when the user named the addresses (seplos.ini or --address), false for the default pack 0.</summary>
    public bool AddressesChosen { get; init; }
    public int BaudRate { get; init; } = 19200;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMilliseconds(500);
    public int Retries { get; init; } = 2;
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Read EIA/EIC from address 0 (the master of a parallel system).</summary>
    public bool ReadSystemBlocks { get; init; }
    /// <summary>Never transmit: decode the bus master's traffic (a parallel system where pack 0 polls the others).</summary>
    public bool Listen { get; init; }
    /// <summary>Where the write journal lives; null = the user's state directory.</summary>
    public string? JournalPath { get; init; }
    /// <summary>--record FILE: append what is read to this recording (docs/recordings.md).</summary>
    public string? RecordFile { get; init; }
    /// <summary>--replay FILE: play this recording instead of reading a bus.</summary>
    public string? ReplayFile { get; init; }
    /// <summary>--speed N: how much faster than recorded a replay runs.</summary>
    public double ReplaySpeed { get; init; } = 1;
    /// <summary>Which files were read, for messages.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];
    /// <summary>The whole configuration, for sections other layers read (e.g. [mqtt]).</summary>
    public IConfiguration Configuration { get; init; } = new ConfigurationBuilder().Build();

    public byte Address => Addresses[0];
    public bool IsSimulator => string.Equals(Port, Simulation.InProcessSimulatorTransport.PortName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Loads the files the way the original tool did, plus environment variables.</summary>
    public static SeplosSettings Load(string? configFile, string directory)
    {
        var builder = new ConfigurationBuilder();
        var sources = new List<string>();
        if (configFile is not null)
        {
            var full = Path.GetFullPath(configFile, directory);
            if (!File.Exists(full))
            {
                throw new ConfigurationException($"config file {full} does not exist");
            }
            builder.AddIniFile(full, optional: false, reloadOnChange: false);
            sources.Add(full);
        }
        else
        {
            foreach (var name in new[] { "seplos.ini", "seplos.secret.ini" })
            {
                var path = Path.Combine(directory, name);
                if (File.Exists(path))
                {
                    builder.AddIniFile(path, optional: true, reloadOnChange: false);
                    sources.Add(path);
                }
            }
        }
        builder.AddEnvironmentVariables("SEPLOS_");
        IConfiguration configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (FormatException ex)
        {
            throw new ConfigurationException($"cannot read {string.Join(", ", sources)}: {ex.Message}");
        }
        return FromConfiguration(configuration) with { Sources = sources };
    }

    public static SeplosSettings FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection("seplos");
        var defaults = new SeplosSettings();
        var addressText = section["addresses"] ?? section["address"];
        IReadOnlyList<byte> addresses = defaults.Addresses;
        if (addressText is not null && !AddressList.TryParse(addressText, out addresses, out var error))
        {
            throw new ConfigurationException($"[seplos] address: {error}");
        }
        return defaults with
        {
            Port = (section["serial"] ?? section["port"])?.Trim() is { Length: > 0 } port ? port : defaults.Port,
            Addresses = addresses,
            AddressesChosen = addressText is not null,
            BaudRate = Int(section, "baud", defaults.BaudRate, 1200, 115200),
            Timeout = TimeSpan.FromMilliseconds(Int(section, "timeout_ms", (int)defaults.Timeout.TotalMilliseconds, 50, 10_000)),
            Retries = Int(section, "retries", defaults.Retries, 0, 10),
            PollInterval = TimeSpan.FromMilliseconds(Int(section, "interval_ms", (int)defaults.PollInterval.TotalMilliseconds, 0, 3_600_000)),
            ReadSystemBlocks = Bool(section, "system", defaults.ReadSystemBlocks),
            Listen = Bool(section, "listen", defaults.Listen),
            JournalPath = section["journal"]?.Trim() is { Length: > 0 } journal ? journal : null,
            Configuration = configuration,
        };
    }

    private static int Int(IConfigurationSection section, string key, int fallback, int min, int max)
    {
        var text = section[key];
        if (text is null)
        {
            return fallback;
        }
        if (!int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ConfigurationException($"[{section.Key}] {key} = '{text}': expected a whole number from {min} to {max}");
        }
        return value;
    }

    private static bool Bool(IConfigurationSection section, string key, bool fallback)
    {
        var text = section[key]?.Trim().ToLowerInvariant();
        return text switch
        {
            null => fallback,
            "1" or "true" or "yes" or "on" => true,
            "0" or "false" or "no" or "off" => false,
            _ => throw new ConfigurationException($"[{section.Key}] {key} = '{text}': expected true or false"),
        };
    }
}

/// <summary>A setting that cannot be used; the message names the file, key and what is expected.</summary>
public sealed class ConfigurationException(string message) : Exception(message);
