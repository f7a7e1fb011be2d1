using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Protocol;
using SeplosConsole.Mqtt;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using Xunit.Abstractions;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>
/// What an install upgraded from the original tool relies on (issue 15), against a real mosquitto:
/// same topics and signs, entities removed when no longer offered, one discovery per entity, and
/// commands that cannot fire by accident.
/// </summary>
public sealed class MqttCompatibilityTests(ITestOutputHelper output)
{
    private static readonly string[] NumberKeys = ["cell_over_voltage_protection", "soc_low_alarm"];

    [Fact]
    public async Task An_upgrade_from_the_original_keeps_its_topics_and_the_sign_of_power()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        // What the original left retained: power = −V×I, negative while charging.
        await using (var original = await MqttProbe.ConnectAsync(broker, "nothing/#"))
        {
            await original.PublishAsync("seplos/battery_0/power", "-290.4", retain: true);
            await original.PublishAsync("seplos/battery_0/pluse_current_limiting_current", "1", retain: true);
        }
        // 52.80 V × +5.50 A (charging) is +290.4 W in the map; on MQTT the original's −290.4.
        var feed = new FakePackFeed(TestPacks.Status(0));
        await using var probe = await MqttProbe.ConnectAsync(broker);
        await using var bridge = new RunningBridge(RunningBridge.Options(broker), feed, output: output);
        var mark = (await probe.WaitForAsync("seplos/battery_0/power", "-290.4")).Index;
        await probe.WaitForAsync("seplos/battery_0/state", "online");
        Assert.Contains(probe.Messages, m => m.Topic == "seplos/battery_0/power" && m.Payload == "-290.4" && !m.Retain);

        var power = MqttProbe.Json(await probe.WaitForAsync("homeassistant/sensor/seplos_bms_0/power/config"));
        Assert.Equal("seplos_battery_0_power", (string?)power["unique_id"]);
        Assert.Equal("seplos/battery_0/power", (string?)power["state_topic"]);

        // The three misspelled keys keep their old state topics, with the same value as the new ones.
        foreach (var (key, legacy) in OriginalToolTopics.LegacyStateKeys)
        {
            var now = await probe.WaitForAsync($"seplos/battery_0/{key}");
            await probe.WaitForAsync($"seplos/battery_0/{legacy}", now.Payload);
        }

        var cycles = MqttProbe.Json(await probe.WaitForAsync("homeassistant/sensor/seplos_bms_0/cycles/config"));
        Assert.Equal("cycles", (string?)cycles["unit_of_measurement"]);
        var discharged = MqttProbe.Json(await probe.WaitForAsync("homeassistant/sensor/seplos_bms_0/total_discharge_capacity/config"));
        Assert.Equal("total_increasing", (string?)discharged["state_class"]);

        // Discharging: the original's sign is positive.
        feed.Update(TestPacks.Status(0, TestPacks.Snapshot(0, new Dictionary<string, double> { ["current"] = -10.0 })));
        await probe.WaitForAsync("seplos/battery_0/power", "528.0", after: mark + 1);
    }

    [Fact]
    public async Task Turning_allow_writes_off_removes_the_number_entities_and_a_pack_no_longer_configured_loses_its_device()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var before = RunningBridge.Options(broker) with { AllowWrites = true, WriteAllowList = NumberKeys };
        await using (var probe = await MqttProbe.ConnectAsync(broker))
        {
            await using var first = new RunningBridge(before, new FakePackFeed(TestPacks.Status(0), TestPacks.Status(1)), output: output);
            await probe.WaitForAsync("homeassistant/number/seplos_bms_0/soc_low_alarm/config");
            await probe.WaitForAsync("homeassistant/number/seplos_bms_1/soc_low_alarm/config");
            // The record of what was announced is retained before the bridge stops.
            await probe.WaitForAsync(m => m.Topic == "seplos/bridge/discovery" && m.Payload.Contains("number/seplos_bms_1/soc_low_alarm/config", StringComparison.Ordinal), "discovery record");
            await first.StopAsync();
        }

        // Next run: writes off, pack 1 gone from the configuration.
        await using var watch = await MqttProbe.ConnectAsync(broker);
        await using var second = new RunningBridge(RunningBridge.Options(broker), new FakePackFeed(TestPacks.Status(0)), output: output);
        foreach (var key in NumberKeys)
        {
            await watch.WaitForAsync($"homeassistant/number/seplos_bms_0/{key}/config", "");
        }
        await watch.WaitForAsync("homeassistant/sensor/seplos_bms_1/soc/config", "");
        await watch.WaitForAsync("homeassistant/binary_sensor/seplos_bms_1/charging/config", "");
        await watch.WaitForAsync("homeassistant/sensor/seplos_bms_0/soc/config");
        await watch.WaitForAsync(m => m.Topic == "seplos/bridge/discovery" && !m.Payload.Contains("number/", StringComparison.Ordinal) && !m.Payload.Contains("seplos_bms_1", StringComparison.Ordinal), "record without the removed entities");
        // Pack 0's sensors stay: nothing of what is still offered was emptied (sensors the pack
        // says are not fitted are withdrawn on purpose, by another rule).
        var snapshot = TestPacks.Status(0).Snapshot;
        var notFitted = snapshot.NotFitted.Select(f => $"homeassistant/sensor/seplos_bms_0/{f.Key}/config")
            .Concat(snapshot.NotFittedFlags.Select(f => $"homeassistant/binary_sensor/seplos_bms_0/{f.Key}/config")).ToHashSet();
        Assert.DoesNotContain(watch.Messages, m => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal) && m.Topic.Contains("/seplos_bms_0/", StringComparison.Ordinal)
            && !m.Topic.Contains("/number/", StringComparison.Ordinal) && !notFitted.Contains(m.Topic) && m.Payload.Length == 0);
        Assert.Contains(second.Log, l => l.Contains("removed", StringComparison.Ordinal) && l.Contains("seplos_bms_1", StringComparison.Ordinal));

        // A late client (Home Assistant restarting) finds no config for them any more.
        await using var late = await MqttProbe.ConnectAsync(broker);
        await late.WaitForAsync("homeassistant/sensor/seplos_bms_0/soc/config");
        await late.WaitForAsync("seplos/bridge/discovery");
        Assert.DoesNotContain(late.Messages, m => m.Topic.Contains("/number/", StringComparison.Ordinal) || m.Topic.Contains("seplos_bms_1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_first_discovery_waits_for_the_identity_and_sends_each_config_once()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var feed = new FakePackFeed(TestPacks.Status(0, TestPacks.Snapshot(0, blocks: [BlockId.Pia, BlockId.Pib, BlockId.Pic])));
        await using var probe = await MqttProbe.ConnectAsync(broker);
        var options = RunningBridge.Options(broker) with { IdentityWait = TimeSpan.FromSeconds(30) };
        await using var bridge = new RunningBridge(options, feed, output: output);
        // State goes out at once; discovery waits for VIA.
        await probe.WaitForAsync("seplos/battery_0/soc", "80.0");
        await probe.WaitForAsync("seplos/battery_0/state", "online");
        Assert.DoesNotContain(probe.Messages, m => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal));

        feed.Update(TestPacks.Status(0));
        var soc = MqttProbe.Json(await probe.WaitForAsync("homeassistant/sensor/seplos_bms_0/soc/config"));
        Assert.Equal(TestPacks.Serial, (string?)soc["device"]!["serial_number"]);
        await probe.WaitForAsync("seplos/bridge/discovery");
        var configs = probe.Messages.Where(m => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal)).ToList();
        Assert.Equal(configs.Count, configs.Select(m => m.Topic).Distinct().Count());
    }

    [Fact]
    public async Task The_first_discovery_goes_without_the_identity_once_the_wait_is_over()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var feed = new FakePackFeed(TestPacks.Status(0, TestPacks.Snapshot(0, blocks: [BlockId.Pia, BlockId.Pib, BlockId.Pic])));
        await using var probe = await MqttProbe.ConnectAsync(broker);
        var options = RunningBridge.Options(broker) with { IdentityWait = TimeSpan.FromSeconds(1) };
        await using var bridge = new RunningBridge(options, feed, output: output);
        // No update comes from the feed: the deadline alone brings the configs.
        var soc = MqttProbe.Json(await probe.WaitForAsync("homeassistant/sensor/seplos_bms_0/soc/config"));
        Assert.Null(soc["device"]!["serial_number"]);
    }

    [Fact]
    public async Task A_retained_command_is_never_executed_and_is_cleared_from_the_broker()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var handler = new CountingWriteHandler();
        var options = RunningBridge.Options(broker) with { AllowWrites = true, WriteAllowList = ["soc_low_alarm"] };
        await using var probe = await MqttProbe.ConnectAsync(broker);
        // One left on the broker before the bridge starts, one published retained while it runs.
        await probe.PublishAsync("seplos/battery_0/soc_low_alarm/set", "20", retain: true);
        await using var bridge = new RunningBridge(options, new FakePackFeed(TestPacks.Status(0)), handler, output: output);
        await probe.WaitForAsync("homeassistant/number/seplos_bms_0/soc_low_alarm/config");
        var mark = probe.Mark;
        await probe.PublishAsync("seplos/battery_0/soc_low_alarm/set", "25", retain: true);
        await probe.WaitForAsync("seplos/battery_0/soc_low_alarm/set", "", after: mark);
        // A live, unretained command after them still works, so the retained ones were seen and refused.
        await probe.PublishAsync("seplos/battery_0/soc_low_alarm/set", "30");
        await probe.WaitForAsync("seplos/battery_0/soc_low_alarm/result", after: mark);
        Assert.Equal(["30"], handler.Values);
        Assert.Contains(bridge.Log, l => l.Contains("ignored a retained command on seplos/battery_0/soc_low_alarm/set = 25", StringComparison.Ordinal));

        await using var late = await MqttProbe.ConnectAsync(broker, "seplos/+/+/set");
        await using var marker = await MqttProbe.ConnectAsync(broker, "nothing/#");
        await marker.PublishAsync("seplos/battery_9/x/set", "marker", retain: true);
        await late.WaitForAsync("seplos/battery_9/x/set", "marker");
        Assert.DoesNotContain(late.Messages, m => m.Topic == "seplos/battery_0/soc_low_alarm/set" && m.Payload.Length > 0);
    }

    [Fact]
    public async Task A_command_that_says_it_is_old_is_not_executed()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var handler = new CountingWriteHandler();
        var options = RunningBridge.Options(broker) with { AllowWrites = true, WriteAllowList = ["soc_low_alarm"] };
        await using var probe = await MqttProbe.ConnectAsync(broker);
        await using var bridge = new RunningBridge(options, new FakePackFeed(TestPacks.Status(0)), handler, output: output);
        await probe.WaitForAsync("homeassistant/number/seplos_bms_0/soc_low_alarm/config");

        using var sender = new MqttClientFactory().CreateMqttClient();
        await sender.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).Build());
        MqttApplicationMessage Command(string value, DateTimeOffset sentAt) => new MqttApplicationMessageBuilder()
            .WithTopic("seplos/battery_0/soc_low_alarm/set").WithPayload(value).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithUserProperty("sent_at", new ReadOnlyMemory<byte>(System.Text.Encoding.UTF8.GetBytes(sentAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture)))).Build();
        var mark = probe.Mark;
        await sender.PublishAsync(Command("20", DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5)));
        await sender.PublishAsync(Command("30", DateTimeOffset.UtcNow));
        await probe.WaitForAsync("seplos/battery_0/soc_low_alarm/result", after: mark);
        Assert.Equal(["30"], handler.Values);
        Assert.Contains(bridge.Log, l => l.Contains("sent 300 s ago", StringComparison.Ordinal));
        await sender.DisconnectAsync();
    }

    private sealed class CountingWriteHandler : IMqttWriteHandler
    {
        private readonly ConcurrentQueue<string> _values = new();

        public IReadOnlyList<string> Values => [.. _values];

        public Task<MqttWriteResult> WriteAsync(byte address, string key, string value, CancellationToken cancellationToken)
        {
            _values.Enqueue(value);
            return Task.FromResult(MqttWriteResult.Confirmed("written and read back"));
        }
    }
}
