using System.Globalization;
using Microsoft.Extensions.Configuration;
using SeplosConsole.Seplos;

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
    /// <summary>Which files were read, for messages.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];
    /// <summary>The whole configuration, for sections other layers read (e.g. [mqtt]).</summary>
    public IConfiguration Configuration { get; init; } = new ConfigurationBuilder().Build();

    public byte Address => Addresses[0];
    public bool IsSimulator => string.Equals(Port, Simulation.InProcessSimulatorTransport.PortName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Unknown sections and keys found in the files, each with the nearest known name; the CLI prints them.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Loads the files the way the original tool did, plus environment variables.</summary>
    /// <exception cref="ConfigurationException">A file cannot be read or parsed, or a value is not usable; one line naming the file.</exception>
    public static SeplosSettings Load(string? configFile, string directory)
    {
        var builder = new ConfigurationBuilder();
        var sources = new List<string>();
        var warnings = new List<string>();
        if (configFile is not null)
        {
            if (configFile.Trim().Length == 0)
            {
                throw new UsageException("--config: no file named");
            }
            var full = Path.GetFullPath(configFile, directory);
            if (Directory.Exists(full))
            {
                throw new ConfigurationException($"config file {full} is a directory, not a file");
            }
            if (!File.Exists(full))
            {
                throw new ConfigurationException($"config file {full} does not exist");
            }
            builder.AddInMemoryCollection(IniText.Read(ReadFile(full), full, warnings));
            sources.Add(full);
        }
        else
        {
            foreach (var name in new[] { "seplos.ini", "seplos.secret.ini" })
            {
                var path = Path.Combine(directory, name);
                if (Directory.Exists(path))
                {
                    throw new ConfigurationException($"{path} is a directory, not a settings file");
                }
                if (File.Exists(path))
                {
                    builder.AddInMemoryCollection(IniText.Read(ReadFile(path), path, warnings));
                    sources.Add(path);
                }
            }
        }
        builder.AddEnvironmentVariables("SEPLOS_");
        return FromConfiguration(builder.Build()) with { Sources = sources, Warnings = warnings };
    }

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var why = ex is UnauthorizedAccessException ? "permission denied" : ex.Message;
            throw new ConfigurationException($"cannot read {path}: {why}");
        }
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
            throw new ConfigurationException($"[{section.Key}] {key} = '{InputEcho.Shorten(text)}': expected a whole number from {min} to {max}");
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
            _ => throw new ConfigurationException($"[{section.Key}] {key} = '{InputEcho.Shorten(text)}': expected true or false"),
        };
    }
}

/// <summary>A setting that cannot be used; the message names the file, key and what is expected.</summary>
public sealed class ConfigurationException(string message) : Exception(message);

/// <summary>A command-line value that is not usable (exit code 2, like a parse error); the message names the option.</summary>
public sealed class UsageException(string message) : Exception(message);
