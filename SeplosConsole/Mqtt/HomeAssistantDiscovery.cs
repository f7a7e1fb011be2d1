using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Mqtt;

/// <summary>One retained discovery message.</summary>
internal readonly record struct DiscoveryMessage(string Topic, string Payload);

/// <summary>
/// Home Assistant MQTT discovery payloads, one entity per topic, all generated from the map:
/// sensors for fields, binary sensors for flags, numbers for allow-listed writable parameters.
/// </summary>
internal sealed class HomeAssistantDiscovery(MqttOptions options, MqttTopics topics)
{
    /// <summary>Keeps ° and µ readable in MQTT tools (the default encoder writes \u00B0).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string Version =
        typeof(HomeAssistantDiscovery).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    private static readonly HashSet<string> DurationUnits = ["d", "h", "min", "s", "ms"];

    private readonly IReadOnlyList<FieldDefinition> _writable = options.WritableFields();

    /// <summary>What decides the device block; when it changes every config of the pack is sent again.</summary>
    public static string DeviceSignature(PackSnapshot snapshot)
        => string.Join('|', DeviceTexts.Select(k => snapshot.Text(k) ?? ""));

    private static readonly string[] DeviceTexts = ["bms_serial", "factory_name", "device_name", "firmware_version", "pack_serial"];

    /// <summary>Every config for the keys this snapshot holds.</summary>
    public IEnumerable<DiscoveryMessage> For(PackStatus status) => For(status, _ => true);

    /// <summary>
    /// The configs whose topic <paramref name="wanted"/> accepts. The bridge asks on every poll for
    /// the ones not announced yet, so a config is only built and serialised when it will be sent
    /// (about 300 a pack otherwise, each with its own copy of the device block).
    /// </summary>
    public IEnumerable<DiscoveryMessage> For(PackStatus status, Func<string, bool> wanted)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(wanted);
        var address = status.Address;
        var snapshot = status.Snapshot;
        JsonObject? device = null;
        JsonObject Device() => device ??= HomeAssistantDiscovery.Device(snapshot, address);
        foreach (var field in SeplosMap.Fields)
        {
            if (snapshot.Fields.ContainsKey(field.Key) && topics.DiscoveryConfig("sensor", address, field.Key) is var topic && wanted(topic))
            {
                yield return new(topic, Serialise(Sensor(field, address, Device())));
            }
        }
        foreach (var flag in SeplosMap.Flags)
        {
            if (snapshot.Flags.ContainsKey(flag.Key) && topics.DiscoveryConfig("binary_sensor", address, flag.Key) is var topic && wanted(topic))
            {
                yield return new(topic, Serialise(BinarySensor(flag, address, Device())));
            }
        }
        foreach (var sensor in PackStateValues.BridgeSensors)
        {
            if (topics.DiscoveryConfig("sensor", address, sensor.Key) is var topic && wanted(topic))
            {
                yield return new(topic, Serialise(BridgeSensor(sensor, address, Device())));
            }
        }
        foreach (var field in _writable)
        {
            if (snapshot.Fields.ContainsKey(field.Key) && topics.DiscoveryConfig("number", address, field.Key) is var topic && wanted(topic))
            {
                yield return new(topic, Serialise(Number(field, address, Device())));
            }
        }
    }

    /// <summary>HA device class and state class for a field, chosen from its quantity and unit.</summary>
    public static (string? DeviceClass, string? StateClass) Classify(FieldDefinition field)
    {
        if (field.Quantity == Quantity.Text || !field.IsNumeric)
        {
            return (null, null);
        }
        string? deviceClass = field.Quantity switch
        {
            Quantity.Voltage when field.Unit is "V" or "mV" => "voltage",
            Quantity.Current when field.Unit is "A" or "mA" => "current",
            Quantity.Power when field.Unit is "W" or "kW" => "power",
            Quantity.Temperature when field.Unit is "°C" => "temperature",
            Quantity.Percent when field.Unit is "%" && field.Key is "soc" or "system_soc" => "battery",
            Quantity.Duration when DurationUnits.Contains(field.Unit) => "duration",
            _ => null,
        };
        // Settings are not measurements: long-term statistics of thresholds help nobody.
        var stateClass = field.Category == FieldCategory.Parameter ? null : "measurement";
        return (deviceClass, stateClass);
    }

    public static string? BinaryDeviceClass(FlagDefinition flag) => flag.Kind switch
    {
        FlagKind.Alarm or FlagKind.Fault => "problem",
        FlagKind.Protection => "safety",
        _ => null,
    };

    private JsonObject Sensor(FieldDefinition field, byte address, JsonObject device)
    {
        var config = Common(field.Name, address, field.Key, device);
        var (deviceClass, stateClass) = Classify(field);
        Add(config, "device_class", deviceClass);
        Add(config, "state_class", stateClass);
        if (field.IsNumeric)
        {
            Add(config, "unit_of_measurement", field.Unit.Length == 0 ? null : field.Unit);
            // HA treats a sensor with neither unit nor state class as text; precision would not apply.
            if (field.Unit.Length > 0 || stateClass is not null)
            {
                config["suggested_display_precision"] = field.Decimals;
            }
        }
        if (field.Category is FieldCategory.Diagnostic or FieldCategory.Identity or FieldCategory.Inverter or FieldCategory.Parameter)
        {
            config["entity_category"] = "diagnostic";
        }
        // A hundred thresholds and raw registers would bury the readings: there, but off until wanted.
        if (field.Category is FieldCategory.Parameter or FieldCategory.Diagnostic || field.Uncertain)
        {
            config["enabled_by_default"] = false;
        }
        config["expire_after"] = ExpireAfterSeconds;
        return config;
    }

    private JsonObject BinarySensor(FlagDefinition flag, byte address, JsonObject device)
    {
        var config = Common(flag.Name, address, flag.Key, device);
        Add(config, "device_class", BinaryDeviceClass(flag));
        config["payload_on"] = PackStateValues.On;
        config["payload_off"] = PackStateValues.Off;
        config["expire_after"] = ExpireAfterSeconds;
        if (flag.Kind == FlagKind.Setting)
        {
            // SFA function switches: which protections are enabled, not which are active.
            config["entity_category"] = "diagnostic";
        }
        if (flag.Uncertain || flag.Kind == FlagKind.Setting)
        {
            config["enabled_by_default"] = false;
        }
        return config;
    }

    private JsonObject BridgeSensor(BridgeSensor sensor, byte address, JsonObject device)
    {
        var config = Common(sensor.Name, address, sensor.Key, device, followsPack: !sensor.IsLinkDiagnostic);
        Add(config, "device_class", sensor.DeviceClass);
        Add(config, "state_class", sensor.StateClass);
        Add(config, "unit_of_measurement", sensor.Unit);
        if (sensor.Precision is { } precision)
        {
            config["suggested_display_precision"] = precision;
        }
        Add(config, "value_template", sensor.ValueTemplate);
        if (sensor.Diagnostic)
        {
            config["entity_category"] = "diagnostic";
        }
        config["expire_after"] = ExpireAfterSeconds;
        return config;
    }

    private JsonObject Number(FieldDefinition field, byte address, JsonObject device)
    {
        var key = field.Key;
        var config = Common(field.Name, address, key, device, MqttTopics.UniqueId(address, key) + "_setting");
        config["command_topic"] = topics.Command(address, key);
        // HA defaults to 1…100 step 1: always send the map's range and the register's resolution.
        config["min"] = field.Min;
        config["max"] = field.Max;
        config["step"] = Math.Round(field.Scale, Math.Max(field.Decimals, 0));
        config["mode"] = "box";
        config["entity_category"] = "config";
        var (deviceClass, _) = Classify(field);
        Add(config, "device_class", deviceClass);
        Add(config, "unit_of_measurement", field.Unit.Length == 0 ? null : field.Unit);
        return config;
    }

    private JsonObject Common(string name, byte address, string key, JsonObject device, string? uniqueId = null, bool followsPack = true)
    {
        // Both must say online: the bridge (its last will covers a crash) and the pack (its link).
        // (Built whole: JsonArray.Add<T> is marked as needing reflection, which a native build refuses.)
        var bridge = new JsonObject { ["topic"] = topics.BridgeAvailability };
        var availability = followsPack
            ? new JsonArray(bridge, new JsonObject { ["topic"] = topics.PackAvailability(address) })
            : new JsonArray(bridge);
        return new JsonObject
        {
            ["name"] = name,
            ["unique_id"] = uniqueId ?? MqttTopics.UniqueId(address, key),
            ["state_topic"] = topics.State(address, key),
            ["availability"] = availability,
            ["availability_mode"] = "all",
            ["device"] = device.DeepClone(),
            ["origin"] = new JsonObject { ["name"] = "SeplosConsole", ["sw_version"] = Version },
        };
    }

    private int ExpireAfterSeconds => (int)Math.Ceiling(options.EffectiveExpireAfter.TotalSeconds);

    private static JsonObject Device(PackSnapshot snapshot, byte address)
    {
        // The address id is always there so entities sent before VIA was read stay on the same
        // device; the serial is added when known, which HA merges into that device.
        var addressId = $"seplos_battery_{address}";
        var serial = Known(snapshot.Text("bms_serial"));
        var identifiers = serial is null
            ? new JsonArray(addressId)
            : new JsonArray(addressId, "seplos_bms_" + new string([.. serial.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]));
        var device = new JsonObject
        {
            ["identifiers"] = identifiers,
            ["name"] = $"Seplos BMS {address}",
            ["manufacturer"] = Known(snapshot.Text("factory_name")) ?? "Seplos",
        };
        Add(device, "model", Known(snapshot.Text("device_name")));
        Add(device, "sw_version", Known(snapshot.Text("firmware_version")));
        Add(device, "serial_number", serial);
        return device;
    }

    private static string? Known(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static void Add(JsonObject config, string key, string? value)
    {
        if (value is not null)
        {
            config[key] = value;
        }
    }

    private static string Serialise(JsonObject config) => config.ToJsonString(JsonOptions);
}
