using SeplosConsole.Seplos;
using Xunit.Abstractions;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>
/// The bridge with partial readings (issue 11): what was read is published, a missing block is
/// named and never stands in as stale or zero values, and sensors the pack says are not fitted
/// are no Home Assistant entities (issue 15).
/// </summary>
public sealed class MqttPartialReadingTests(ITestOutputHelper output)
{
    private const string Sensor5Config = "homeassistant/sensor/seplos_bms_0/cell_temp_5/config";

    [Fact]
    public async Task A_sensor_announced_before_the_count_was_read_gets_an_empty_retained_config_once_it_is_not_fitted()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        // First poll: the live blocks, before SPA says how many sensors there are: taken as fitted.
        var feed = new FakePackFeed(TestPacks.Status(0, TestPacks.Snapshot(0, blocks: [BlockId.Pia, BlockId.Pib, BlockId.Pic])));
        await using var probe = await MqttProbe.ConnectAsync(broker);
        await using var bridge = new RunningBridge(RunningBridge.Options(broker), feed, output: output);
        await probe.WaitForAsync(m => m.Topic == Sensor5Config && m.Payload.Length > 0, "cell_temp_5 announced");
        await probe.WaitForAsync("seplos/battery_0/cell_temp_5");

        var mark = probe.Mark;
        feed.Update(TestPacks.Status(0, TestPacks.Snapshot(0, new Dictionary<string, double> { ["ntc_count"] = 4 })));
        await probe.WaitForAsync(Sensor5Config, "", after: mark);
        await probe.WaitForAsync("seplos/battery_0/cell_temp_5", "", after: mark);
        // Sensor 4 is still there; nothing at all is retained for sensors 5–8 for a client that comes later.
        await probe.WaitForAsync("seplos/battery_0/ntc_count", "4", after: mark);
        await using var late = await MqttProbe.ConnectAsync(broker);
        await late.WaitForAsync("seplos/battery_0/ntc_count", "4");
        await late.WaitForAsync(m => m.Topic == "homeassistant/sensor/seplos_bms_0/cell_temp_4/config" && m.Retain, "cell_temp_4 config");
        // Its alarm bits go with it (binary sensors, config and state).
        await late.WaitForAsync(m => m.Topic == "homeassistant/binary_sensor/seplos_bms_0/cell_temp_4_low_alarm/config" && m.Retain, "cell_temp_4_low_alarm config");
        string[] gone = [Sensor5Config, "homeassistant/sensor/seplos_bms_0/cell_temp_8/config", "seplos/battery_0/cell_temp_5", "seplos/battery_0/cell_temp_8",
            "homeassistant/binary_sensor/seplos_bms_0/cell_temp_5_low_alarm/config", "homeassistant/binary_sensor/seplos_bms_0/cell_temp_8_high_alarm/config",
            "seplos/battery_0/cell_temp_5_low_alarm", "seplos/battery_0/cell_temp_8_high_alarm"];
        Assert.DoesNotContain(late.Messages, m => gone.Contains(m.Topic));
    }

    [Fact]
    public async Task A_refused_block_is_named_and_none_of_its_values_are_published()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var snapshot = TestPacks.Snapshot(0).WithMissing(BlockId.Pic, "pack 0 refused to send PIC: illegal data address");
        var feed = new FakePackFeed(TestPacks.Status(0, snapshot));
        await using var probe = await MqttProbe.ConnectAsync(broker);
        await using var bridge = new RunningBridge(RunningBridge.Options(broker), feed, output: output);

        await probe.WaitForAsync("seplos/battery_0/missing", "PIC: pack 0 refused to send PIC: illegal data address");
        await probe.WaitForAsync("seplos/battery_0/pack_voltage", "52.80");
        await probe.WaitForAsync("seplos/battery_0/state", "online");
        // No flag of PIC, no alarm list, no system state: "no alarms" would be a lie.
        var picKeys = SeplosMap.FlagsOf(BlockId.Pic).Select(f => $"seplos/battery_0/{f.Key}").Concat(["seplos/battery_0/alarms", "seplos/battery_0/system_state"]).ToHashSet();
        // (The bits of sensors that are not fitted are withdrawn, an empty payload: that is no value.)
        Assert.DoesNotContain(probe.Messages, m => picKeys.Contains(m.Topic) && m.Payload.Length > 0);

        // Read again: the gap closes and says so.
        var mark = probe.Mark;
        feed.Update(TestPacks.Status(0));
        await probe.WaitForAsync("seplos/battery_0/missing", "none", after: mark);
        await probe.WaitForAsync("seplos/battery_0/alarms", "none", after: mark);
    }
}
