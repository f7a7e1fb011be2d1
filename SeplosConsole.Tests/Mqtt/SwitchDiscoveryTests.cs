using System.Text.Json.Nodes;
using SeplosConsole.Mqtt;
using SeplosConsole.Seplos;

namespace SeplosConsole.Tests.Mqtt;

public class SwitchDiscoveryTests
{
    [Fact]
    public void Sfa_switches_are_diagnostic_binary_sensors_disabled_by_default_without_a_problem_class()
    {
        var options = new MqttOptions { Server = "localhost" };
        var discovery = new HomeAssistantDiscovery(options, new MqttTopics(options.Prefix, options.DiscoveryPrefix));
        var status = TestPacks.Status(3, TestPacks.Snapshot(3, blocks: TestPacks.AllBlocks));
        // homeassistant/binary_sensor/<node>/<key>/config
        var configs = discovery.For(status).Where(m => m.Topic.Contains("/binary_sensor/", StringComparison.Ordinal))
            .ToDictionary(m => m.Topic.Split('/')[3], m => JsonNode.Parse(m.Payload)!.AsObject());

        foreach (var flag in SeplosMap.FlagsOf(BlockId.Sfa))
        {
            var config = configs[flag.Key];
            Assert.Equal("diagnostic", (string?)config["entity_category"]);
            Assert.False((bool)config["enabled_by_default"]!);
            Assert.Null(config["device_class"]);
        }
        // A PIC alarm stays a problem sensor, enabled.
        var alarm = configs["cell_over_voltage_protection_active"];
        Assert.Equal("safety", (string?)alarm["device_class"]);
        Assert.Null(alarm["enabled_by_default"]);
    }
}
