using System.Globalization;
using Microsoft.Extensions.Configuration;
using SeplosConsole.Seplos;

namespace SeplosConsole.Mqtt;

/// <summary>
/// Reads the <c>[mqtt]</c> section (seplos.ini, seplos.secret.ini, SEPLOS_MQTT__* variables, as
/// merged by the CLI's configuration) into <see cref="MqttOptions"/>. The key names are the ones
/// docs/mqtt.md lists. The CLI may use this or fill the record itself.
/// </summary>
public static class MqttSettings
{
    /// <summary>Null options when there is no <c>server</c>: then nothing connects.</summary>
    public static (MqttOptions? Options, IReadOnlyList<string> Errors) Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("mqtt");
        var errors = new List<string>();
        var server = section["server"]?.Trim();
        if (string.IsNullOrEmpty(server))
        {
            return (null, errors);
        }
        var options = new MqttOptions { Server = server };
        options = options with
        {
            Port = Number(section, "port", options.Port, 1, 65535, errors),
            User = Text(section, "user"),
            Password = section["pass"] ?? section["password"],
            Tls = Flag(section, "tls", false, errors),
            CaFile = Text(section, "ca_file"),
            CertFile = Text(section, "cert_file"),
            KeyFile = Text(section, "key_file"),
            ClientId = Text(section, "client_id") ?? options.ClientId,
            Prefix = Text(section, "prefix") ?? options.Prefix,
            DiscoveryPrefix = Text(section, "discovery_prefix") ?? options.DiscoveryPrefix,
            RepublishInterval = TimeSpan.FromMinutes(Number(section, "republish_minutes", (int)options.RepublishInterval.TotalMinutes, 1, 1440, errors)),
            AllowWrites = Flag(section, "allow_writes", false, errors),
            WriteAllowList = List(section["write_allow_list"]),
        };
        // Certificates without tls would mean a password sent in plain text the user thinks is protected.
        foreach (var (key, value) in new[] { ("ca_file", options.CaFile), ("cert_file", options.CertFile), ("key_file", options.KeyFile) })
        {
            if (value is not null && !options.Tls)
            {
                errors.Add($"[mqtt] {key} is set but tls is off: set tls = true (the broker's TLS port, usually 8883)");
            }
        }
        if (options.KeyFile is not null && options.CertFile is null)
        {
            errors.Add("[mqtt] key_file is set without cert_file");
        }
        if (section["expire_after_seconds"] is not null)
        {
            options = options with { ExpireAfter = TimeSpan.FromSeconds(Number(section, "expire_after_seconds", 0, 60, 86400, errors)) };
        }
        if (section["deadbands"] is { } deadbands)
        {
            options = ReadDeadbands(options, deadbands, errors);
        }
        // A key that is not a writable parameter is a warning (AllowListWarnings), not an error:
        // an error ends `seplos mqtt`, and under systemd that is a restart loop for a typo.
        return (options, errors);
    }

    /// <summary>One line per <c>write_allow_list</c> key that is not a writable, reviewed parameter (it is ignored).</summary>
    public static IEnumerable<string> AllowListWarnings(MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var key in options.WriteAllowList)
        {
            if (SeplosMap.FindField(key) is not { Writable: true, Uncertain: false })
            {
                yield return $"[mqtt] write_allow_list: '{key}' is not a writable parameter; ignored";
            }
        }
    }

    /// <summary><c>deadbands = cell_1=0.003, temperature=0.2</c>: a field key or a quantity name, then the smallest change.</summary>
    private static MqttOptions ReadDeadbands(MqttOptions options, string text, List<string> errors)
    {
        var byKey = new Dictionary<string, double>(options.Deadbands, StringComparer.Ordinal);
        var byQuantity = new Dictionary<Quantity, double>(options.QuantityDeadbands);
        foreach (var entry in List(text))
        {
            var parts = entry.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var band) || band < 0)
            {
                errors.Add($"[mqtt] deadbands: '{entry}' is not name=number");
            }
            else if (SeplosMap.FindField(parts[0]) is { } field)
            {
                byKey[field.Key] = band;
            }
            else if (Enum.TryParse<Quantity>(parts[0], ignoreCase: true, out var quantity))
            {
                byQuantity[quantity] = band;
            }
            else
            {
                errors.Add($"[mqtt] deadbands: '{parts[0]}' is neither a field nor a quantity ({string.Join(", ", Enum.GetNames<Quantity>())})");
            }
        }
        return options with { Deadbands = byKey, QuantityDeadbands = byQuantity };
    }

    private static string? Text(IConfigurationSection section, string key) => section[key]?.Trim() is { Length: > 0 } value ? value : null;

    private static string[] List(string? text)
        => text is null ? [] : text.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int Number(IConfigurationSection section, string key, int fallback, int min, int max, List<string> errors)
    {
        if (Text(section, key) is not { } text)
        {
            return fallback;
        }
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }
        errors.Add($"[mqtt] {key} = {text}: expected a whole number from {min} to {max}");
        return fallback;
    }

    private static bool Flag(IConfigurationSection section, string key, bool fallback, List<string> errors)
    {
        switch (Text(section, key)?.ToLowerInvariant())
        {
            case null:
                return fallback;
            case "true" or "yes" or "on" or "1":
                return true;
            case "false" or "no" or "off" or "0":
                return false;
            case var other:
                errors.Add($"[mqtt] {key} = {other}: expected true or false");
                return fallback;
        }
    }
}
