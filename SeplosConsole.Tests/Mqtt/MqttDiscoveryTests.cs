using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SeplosConsole.Mqtt;
using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>Discovery payloads and state values, checked against HA's rules without a broker.</summary>
public sealed partial class MqttDiscoveryTests
{
    /// <summary>Units HA accepts per sensor device class (the ones this bridge can produce).</summary>
    private static readonly Dictionary<string, string[]> UnitsByDeviceClass = new()
    {
        ["voltage"] = ["V", "mV"],
        ["current"] = ["A", "mA"],
        ["power"] = ["W", "kW"],
        ["temperature"] = ["°C"],
        ["battery"] = ["%"],
        ["duration"] = ["d", "h", "min", "s", "ms"],
    };

    private static readonly string[] BinaryDeviceClasses = ["problem", "safety"];

    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    private static partial Regex IdCharacters();

    private static List<(string Topic, JsonObject Config)> AllConfigs(MqttOptions? options = null)
    {
        options ??= new MqttOptions { Server = "localhost", AllowWrites = true, WriteAllowList = [.. SeplosMap.WritableParameters.Select(f => f.Key)] };
        var discovery = new HomeAssistantDiscovery(options, new MqttTopics(options.Prefix, options.DiscoveryPrefix));
        var status = TestPacks.Status(3, TestPacks.Snapshot(3, blocks: TestPacks.AllBlocks));
        return [.. discovery.For(status).Select(m => (m.Topic, JsonNode.Parse(m.Payload)!.AsObject()))];
    }

    [Fact]
    public void Every_config_has_the_required_keys_and_valid_ids()
    {
        var configs = AllConfigs();
        Assert.True(configs.Count > SeplosMap.Fields.Count);
        foreach (var (topic, config) in configs)
        {
            var parts = topic.Split('/');
            Assert.Equal(5, parts.Length);
            Assert.Equal("homeassistant", parts[0]);
            Assert.Contains(parts[1], new[] { "sensor", "binary_sensor", "number" });
            Assert.Equal("seplos_bms_3", parts[2]);
            Assert.Matches(IdCharacters(), parts[3]);
            Assert.Equal("config", parts[4]);

            foreach (var key in new[] { "name", "unique_id", "state_topic", "availability", "device", "origin" })
            {
                Assert.True(config.ContainsKey(key), $"{topic} lacks {key}");
            }
            Assert.Matches(IdCharacters(), (string)config["unique_id"]!);
            Assert.StartsWith("seplos_battery_3_", (string)config["unique_id"]!, StringComparison.Ordinal);
            Assert.StartsWith("seplos/battery_3/", (string)config["state_topic"]!, StringComparison.Ordinal);
            Assert.DoesNotContain("Seplos BMS", (string)config["name"]!, StringComparison.Ordinal);
            Assert.Equal("SeplosConsole", (string?)config["origin"]!["name"]);
            var device = config["device"]!.AsObject();
            Assert.Equal("Seplos BMS 3", (string?)device["name"]);
            Assert.Contains("seplos_battery_3", device["identifiers"]!.AsArray().Select(i => (string?)i));
            var availability = config["availability"]!.AsArray().Select(a => (string?)a!["topic"]).ToList();
            Assert.Contains("seplos/bridge/state", availability);
            Assert.Equal("all", (string?)config["availability_mode"]);
        }
        Assert.Equal(configs.Count, configs.Select(c => c.Topic).Distinct().Count());
        foreach (var component in configs.GroupBy(c => c.Topic.Split('/')[1]))
        {
            Assert.Equal(component.Count(), component.Select(c => (string?)c.Config["unique_id"]).Distinct().Count());
        }
    }

    [Fact]
    public void Sensor_device_class_unit_and_state_class_are_pairs_home_assistant_accepts()
    {
        foreach (var (topic, config) in AllConfigs().Where(c => c.Topic.Contains("/sensor/", StringComparison.Ordinal)))
        {
            var deviceClass = (string?)config["device_class"];
            var unit = (string?)config["unit_of_measurement"];
            var stateClass = (string?)config["state_class"];
            if (deviceClass is not null)
            {
                Assert.True(UnitsByDeviceClass.TryGetValue(deviceClass, out var units), $"{topic}: unexpected device class {deviceClass}");
                Assert.Contains(unit, units);
                Assert.True(stateClass is null or "measurement", $"{topic}: {deviceClass} with {stateClass}");
            }
            Assert.True(stateClass is null or "measurement" or "total_increasing", $"{topic}: state_class {stateClass}");
            if (config["entity_category"] is { } category)
            {
                Assert.Equal("diagnostic", (string?)category);
            }
            if (config.ContainsKey("suggested_display_precision"))
            {
                Assert.NotNull(unit ?? stateClass);
            }
            Assert.True((int)config["expire_after"]! >= 360);
        }
    }

    [Fact]
    public void Text_fields_have_no_state_class_or_unit()
    {
        var configs = AllConfigs();
        foreach (var field in SeplosMap.Fields.Where(f => f.Quantity == Quantity.Text))
        {
            var config = configs.Single(c => c.Topic == $"homeassistant/sensor/seplos_bms_3/{field.Key}/config").Config;
            Assert.False(config.ContainsKey("state_class"), field.Key);
            Assert.False(config.ContainsKey("unit_of_measurement"), field.Key);
            Assert.False(config.ContainsKey("device_class"), field.Key);
        }
        Assert.Equal("diagnostic", (string?)configs.Single(c => c.Topic.EndsWith("/bms_serial/config", StringComparison.Ordinal)).Config["entity_category"]);
    }

    [Fact]
    public void Flags_get_problem_or_safety_or_no_device_class()
    {
        var configs = AllConfigs().Where(c => c.Topic.Contains("/binary_sensor/", StringComparison.Ordinal)).ToDictionary(c => c.Topic.Split('/')[3], c => c.Config);
        // Every flag but the bits of sensors the pack says are not fitted.
        var notFitted = TestPacks.Snapshot(3, blocks: TestPacks.AllBlocks).NotFittedFlags.ToList();
        Assert.NotEmpty(notFitted);
        Assert.Equal(SeplosMap.Flags.Count - notFitted.Count, configs.Count);
        foreach (var flag in SeplosMap.Flags.Except(notFitted))
        {
            var config = configs[flag.Key];
            var deviceClass = (string?)config["device_class"];
            Assert.True(deviceClass is null || BinaryDeviceClasses.Contains(deviceClass));
            Assert.Equal(flag.Kind switch { FlagKind.Protection => "safety", FlagKind.Alarm or FlagKind.Fault => "problem", _ => null }, deviceClass);
            Assert.Equal("ON", (string?)config["payload_on"]);
            Assert.Equal("OFF", (string?)config["payload_off"]);
        }
    }

    [Fact]
    public void Number_entities_carry_the_map_range_and_resolution()
    {
        var numbers = AllConfigs().Where(c => c.Topic.Contains("/number/", StringComparison.Ordinal)).ToList();
        Assert.Equal(SeplosMap.WritableParameters.Count(f => !f.Uncertain), numbers.Count);
        foreach (var (topic, config) in numbers)
        {
            var field = SeplosMap.FindField(topic.Split('/')[3])!;
            Assert.Equal(field.Min, (double?)config["min"]);
            Assert.Equal(field.Max, (double?)config["max"]);
            Assert.True((double)config["step"]! > 0);
            Assert.Equal("config", (string?)config["entity_category"]);
            Assert.Equal($"seplos/battery_3/{field.Key}/set", (string?)config["command_topic"]);
            Assert.EndsWith("_setting", (string)config["unique_id"]!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Degree_sign_is_not_escaped()
    {
        var options = new MqttOptions { Server = "localhost" };
        var discovery = new HomeAssistantDiscovery(options, new MqttTopics("seplos", "homeassistant"));
        var payload = discovery.For(TestPacks.Status(0)).Single(m => m.Topic.EndsWith("/power_temp/config", StringComparison.Ordinal)).Payload;
        Assert.Contains("°C", payload, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00B0", payload, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void State_keys_never_collide_with_each_other_or_the_availability_topic()
    {
        var keys = SeplosMap.Fields.Select(f => f.Key)
            .Concat(SeplosMap.Flags.Select(f => f.Key))
            .Concat(PackStateValues.BridgeSensors.Select(s => s.Key))
            .ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.DoesNotContain("state", keys);
        Assert.All(keys, k => Assert.Matches(IdCharacters(), k));
    }

    [Fact]
    public void State_values_are_formatted_with_the_field_decimals()
    {
        var options = new MqttOptions { Server = "localhost" };
        var snapshot = TestPacks.Snapshot(0, new Dictionary<string, double> { ["current"] = -12.5, ["average_cell_temp"] = 21.3 },
            flagsOn: ["discharging", "cell_over_voltage_protection_active", "ntc_fault"]);
        var values = PackStateValues.Collect(TestPacks.Status(0, snapshot), options).ToDictionary(v => v.Key, v => v.Payload);
        Assert.Equal("-12.50", values["current"]);
        Assert.Equal("21.3", values["average_cell_temp"]);
        Assert.Equal("3.300", values["cell_1"]);
        // MQTT keeps the original tool's sign: −V×I, positive while discharging (52.80 V × −12.5 A).
        Assert.Equal("660.0", values["power"]);
        Assert.Equal("ON", values["discharging"]);
        Assert.Equal("OFF", values["charging"]);
        Assert.Equal("discharging", values["system_state"]);
        Assert.Equal("Cell over-voltage protection, Temperature sensor (NTC) fault", values["alarms"]);
        Assert.Equal("SEPLOS", values["factory_name"]);
    }

    [Fact]
    public void Offline_packs_publish_only_link_diagnostics()
    {
        var options = new MqttOptions { Server = "localhost" };
        var values = PackStateValues.Collect(TestPacks.Status(0, state: PackLinkState.Offline), options, includePackValues: false).Select(v => v.Key).ToList();
        Assert.Contains("link_state", values);
        Assert.Contains("bus_errors", values);
        Assert.DoesNotContain("soc", values);
        Assert.DoesNotContain("alarms", values);
    }

    [Theory]
    [InlineData(3.300, 3.302, false)]
    [InlineData(3.300, 3.303, true)]
    [InlineData(3.302, 3.305, true)]
    [InlineData(3.300, 3.305, true)]
    [InlineData(3.305, 3.300, true)]
    public void Cell_deadband_is_three_millivolts(double last, double now, bool published)
    {
        var cell = SeplosMap.FindField("cell_1")!;
        var deadband = new MqttOptions { Server = "x" }.DeadbandFor(cell);
        Assert.Equal(0.003, deadband);
        var before = new StateValue("cell_1", cell.Format(last), last, deadband);
        var after = new StateValue("cell_1", cell.Format(now), now, deadband);
        Assert.Equal(published, MqttStatePublisher.IsWorthPublishing(after, before));
    }

    [Fact]
    public void Deadbands_fall_back_from_key_to_quantity_to_any_change()
    {
        var options = new MqttOptions { Server = "x", QuantityDeadbands = new Dictionary<Quantity, double> { [Quantity.Temperature] = 0.5 } };
        Assert.Equal(0.5, options.DeadbandFor(SeplosMap.FindField("power_temp")!));
        Assert.Equal(0.003, options.DeadbandFor(SeplosMap.FindField("cell_16")!));
        Assert.Equal(0, options.DeadbandFor(SeplosMap.FindField("soc")!));
    }

    [Fact]
    public void Options_never_show_the_password_and_client_ids_differ()
    {
        var options = new MqttOptions { Server = "broker", User = "ha", Password = "s3cret" };
        Assert.DoesNotContain("s3cret", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", (options with { }).ToString(), StringComparison.Ordinal);
        Assert.Contains("ha:***@broker:1883", options.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(new MqttOptions { Server = "a" }.ClientId, new MqttOptions { Server = "a" }.ClientId);
        Assert.StartsWith("seplos-", options.ClientId, StringComparison.Ordinal);
    }

    [Fact]
    public void Expire_after_outlasts_the_full_republish()
    {
        Assert.Equal(TimeSpan.FromMinutes(6), new MqttOptions { Server = "x" }.EffectiveExpireAfter);
        Assert.Equal(TimeSpan.FromMinutes(20), new MqttOptions { Server = "x", ExpireAfter = TimeSpan.FromMinutes(20) }.EffectiveExpireAfter);
        Assert.Equal(TimeSpan.FromMinutes(6), new MqttOptions { Server = "x", ExpireAfter = TimeSpan.FromSeconds(30) }.EffectiveExpireAfter);
    }

    [Theory]
    [InlineData("seplos/battery_0/cell_over_voltage_protection/set", (byte)0, "cell_over_voltage_protection")]
    [InlineData("seplos/battery_15/stand-by_time/set", (byte)15, "stand-by_time")]
    public void Command_topics_are_parsed(string topic, byte address, string key)
        => Assert.Equal((address, key), new MqttTopics("seplos", "homeassistant").ParseCommand(topic));

    [Theory]
    [InlineData("seplos/battery_0/soc")]
    [InlineData("seplos/battery_x/soc/set")]
    [InlineData("seplos/battery_300/soc/set")]
    [InlineData("other/battery_0/soc/set")]
    [InlineData("seplos/battery_0/a/b/set")]
    public void Other_topics_are_not_commands(string topic)
        => Assert.Null(new MqttTopics("seplos", "homeassistant").ParseCommand(topic));
}
