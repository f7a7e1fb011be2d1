using System.Collections.Concurrent;
using System.Threading.Channels;
using MQTTnet;
using SeplosConsole.Mqtt;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using Xunit.Abstractions;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>The bridge against a real mosquitto of each test's own.</summary>
public sealed class MqttBridgeTests(ITestOutputHelper output)
{
    private const string SocConfig = "homeassistant/sensor/seplos_bms_0/soc/config";

    [Fact]
    public async Task Publishes_retained_discovery_state_and_availability_for_pack_0()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var feed = new FakePackFeed(TestPacks.Status(0));
        await using (var bridge = new RunningBridge(RunningBridge.Options(broker), feed, output: output))
        {
            await using var live = await MqttProbe.ConnectAsync(broker);
            await live.WaitForAsync("seplos/battery_0/state", "online");
            Assert.Equal(MqttConnectionState.Connected, bridge.Bridge.Status.State);

            // A client that arrives later gets everything from the retained messages.
            await using var late = await MqttProbe.ConnectAsync(broker);
            var config = MqttProbe.Json(await late.WaitForAsync(m => m.Topic == SocConfig && m.Retain, "retained soc config"));
            Assert.Equal("seplos_battery_0_soc", (string?)config["unique_id"]);
            Assert.Equal("State of charge", (string?)config["name"]);
            Assert.Equal("battery", (string?)config["device_class"]);
            Assert.Equal("%", (string?)config["unit_of_measurement"]);
            Assert.Equal("measurement", (string?)config["state_class"]);
            Assert.Equal("seplos/battery_0/soc", (string?)config["state_topic"]);
            Assert.Equal("all", (string?)config["availability_mode"]);
            Assert.Equal("Seplos BMS 0", (string?)config["device"]!["name"]);
            Assert.Equal(TestPacks.Serial, (string?)config["device"]!["serial_number"]);
            Assert.Equal("SEPLOS", (string?)config["device"]!["manufacturer"]);
            Assert.Equal("SP05B", (string?)config["device"]!["model"]);

            var temperature = await late.WaitForAsync(m => m.Topic == "homeassistant/sensor/seplos_bms_0/average_cell_temp/config" && m.Retain, "temperature config");
            Assert.Contains("\"unit_of_measurement\":\"°C\"", temperature.Payload, StringComparison.Ordinal);

            Assert.True((await late.WaitForAsync("seplos/battery_0/soc", "80.0")).Retain);
            Assert.True((await late.WaitForAsync("seplos/battery_0/pack_voltage", "52.80")).Retain);
            Assert.True((await late.WaitForAsync("seplos/battery_0/cell_1", "3.300")).Retain);
            Assert.True((await late.WaitForAsync("seplos/battery_0/factory_name", "SEPLOS")).Retain);
            Assert.True((await late.WaitForAsync("seplos/battery_0/charging", "ON")).Retain);
            Assert.True((await late.WaitForAsync("seplos/battery_0/cell_1_balancing", "OFF")).Retain);
            Assert.True((await late.WaitForAsync("seplos/battery_0/alarms", "none")).Retain);
            Assert.True((await late.WaitForAsync("seplos/battery_0/system_state", "charging")).Retain);
            Assert.True((await late.WaitForAsync("seplos/battery_0/bus_errors", "2")).Retain);
            Assert.True((await late.WaitForAsync("seplos/battery_0/state", "online")).Retain);
            Assert.True((await late.WaitForAsync("seplos/bridge/state", "online")).Retain);
            var binary = MqttProbe.Json(await late.WaitForAsync(m => m.Topic == "homeassistant/binary_sensor/seplos_bms_0/cell_over_voltage_protection_active/config" && m.Retain, "protection config"));
            Assert.Equal("safety", (string?)binary["device_class"]);
            Assert.Equal("ON", (string?)binary["payload_on"]);

            // Writes are off: no number entities.
            Assert.DoesNotContain(late.Messages, m => m.Topic.StartsWith("homeassistant/number/", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Publishes_only_changes_beyond_the_deadband()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var feed = new FakePackFeed(TestPacks.Status(0));
        await using var probe = await MqttProbe.ConnectAsync(broker);
        await using var bridge = new RunningBridge(RunningBridge.Options(broker), feed, output: output);
        await probe.WaitForAsync("seplos/battery_0/state", "online");

        // Cell 1 moves 2 mV (inside the 3 mV deadband) together with a temperature change; the
        // temperature comes after the cells in map order, so once it is here cell 1 would be too.
        var mark = probe.Mark;
        feed.Update(TestPacks.Status(0, TestPacks.Snapshot(0, new Dictionary<string, double> { ["cell_1"] = 3.302, ["environment_temp"] = 26.0 })));
        await probe.WaitForAsync("seplos/battery_0/environment_temp", "26.0", after: mark);
        var afterSmallChange = probe.Messages.Where(m => m.Index >= mark).Select(m => m.Topic).ToList();
        Assert.DoesNotContain("seplos/battery_0/cell_1", afterSmallChange);
        // Unchanged values are not sent again either.
        Assert.DoesNotContain("seplos/battery_0/soc", afterSmallChange);
        Assert.DoesNotContain(afterSmallChange, t => t.StartsWith("homeassistant/", StringComparison.Ordinal));

        // 5 mV from the last published 3.300 V is published.
        mark = probe.Mark;
        feed.Update(TestPacks.Status(0, TestPacks.Snapshot(0, new Dictionary<string, double> { ["cell_1"] = 3.305, ["environment_temp"] = 26.0 })));
        await probe.WaitForAsync("seplos/battery_0/cell_1", "3.305", after: mark);
    }

    [Fact]
    public async Task Comes_back_with_discovery_and_state_after_the_broker_restarts()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var feed = new FakePackFeed(TestPacks.Status(0));
        await using var bridge = new RunningBridge(RunningBridge.Options(broker), feed, output: output);
        await using (var before = await MqttProbe.ConnectAsync(broker))
        {
            await before.WaitForAsync("seplos/battery_0/state", "online");
        }

        // No persistence: the restarted broker has forgotten every retained message.
        await broker.RestartAsync();

        await using var after = await MqttProbe.ConnectAsync(broker);
        await after.WaitForAsync(SocConfig);
        await after.WaitForAsync("seplos/battery_0/soc", "80.0");
        await after.WaitForAsync("seplos/battery_0/state", "online");
        await after.WaitForAsync("seplos/bridge/state", "online");
        Assert.Contains(bridge.Log, line => line.Contains("lost", StringComparison.Ordinal));
        Assert.Equal(MqttConnectionState.Connected, bridge.Bridge.Status.State);
    }

    [Fact]
    public async Task Connects_when_the_broker_starts_after_the_bridge()
    {
        await using var broker = await MosquittoBroker.StartAsync(start: false);
        var feed = new FakePackFeed(TestPacks.Status(0));
        await using var bridge = new RunningBridge(RunningBridge.Options(broker), feed, output: output);
        await WaitUntilAsync(() => bridge.Log.Any(l => l.Contains("connection refused", StringComparison.Ordinal)), "a connection-refused log line", bridge);

        await broker.StartProcessAsync();
        await using var probe = await MqttProbe.ConnectAsync(broker);
        await probe.WaitForAsync(SocConfig);
        await probe.WaitForAsync("seplos/battery_0/state", "online");
    }

    [Fact]
    public async Task Republishes_discovery_and_state_when_home_assistant_announces_itself()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var feed = new FakePackFeed(TestPacks.Status(0));
        await using var probe = await MqttProbe.ConnectAsync(broker);
        await using var bridge = new RunningBridge(RunningBridge.Options(broker), feed, output: output);
        await probe.WaitForAsync("seplos/battery_0/state", "online");
        await probe.WaitForAsync(SocConfig);

        var mark = probe.Mark;
        await probe.PublishAsync("homeassistant/status", "online");
        await probe.WaitForAsync(SocConfig, after: mark);
        await probe.WaitForAsync("seplos/battery_0/soc", "80.0", after: mark);
        await probe.WaitForAsync("seplos/battery_0/state", "online", after: mark);
    }

    [Fact]
    public async Task Clean_stop_publishes_offline_for_the_bridge_and_every_pack()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var feed = new FakePackFeed(TestPacks.Status(0), TestPacks.Status(1));
        await using var probe = await MqttProbe.ConnectAsync(broker);
        var bridge = new RunningBridge(RunningBridge.Options(broker), feed, output: output);
        await using (bridge)
        {
            await probe.WaitForAsync("seplos/battery_1/state", "online");
            await bridge.StopAsync();
        }

        Assert.Equal(MqttConnectionState.Disconnected, bridge.Bridge.Status.State);
        await using var late = await MqttProbe.ConnectAsync(broker);
        Assert.True((await late.WaitForAsync("seplos/battery_0/state", "offline")).Retain);
        Assert.True((await late.WaitForAsync("seplos/battery_1/state", "offline")).Retain);
        Assert.True((await late.WaitForAsync("seplos/bridge/state", "offline")).Retain);
    }

    [Fact]
    public async Task A_bridge_that_vanishes_without_disconnect_leaves_its_last_will()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var proxy = new TcpProxy(broker.Port);
        var feed = new FakePackFeed(TestPacks.Status(0));
        await using var probe = await MqttProbe.ConnectAsync(broker);
        await using var bridge = new RunningBridge(RunningBridge.Options(broker) with { Port = proxy.Port }, feed, output: output);
        var online = await probe.WaitForAsync("seplos/bridge/state", "online");

        proxy.Sever();

        await probe.WaitForAsync("seplos/bridge/state", "offline", after: online.Index + 1);
        // …and the bridge, still running, comes back on its own.
        await probe.WaitForAsync("seplos/bridge/state", "online", after: online.Index + 1);
    }

    [Fact]
    public async Task Bad_password_gives_one_clear_error_and_the_bridge_keeps_retrying()
    {
        await using var broker = await MosquittoBroker.StartAsync(user: "seplos", password: "right-password");
        var feed = new FakePackFeed(TestPacks.Status(0));
        var options = RunningBridge.Options(broker) with { User = "seplos", Password = "wrong-password" };
        await using var bridge = new RunningBridge(options, feed, output: output);

        await WaitUntilAsync(() => bridge.States.Count(s => s.State == MqttConnectionState.Connecting) >= 3, "three connection attempts", bridge);
        Assert.False(bridge.Run.IsCompleted);
        var errors = bridge.Log.Where(l => l.StartsWith("Error:", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(errors);
        Assert.Contains("refused the login of user 'seplos'", error, StringComparison.Ordinal);
        Assert.Contains("refused the login", bridge.Bridge.Status.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(bridge.Log, l => l.Contains("wrong-password", StringComparison.Ordinal));

        await bridge.StopAsync();
        Assert.True(bridge.Run.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_broker_that_drops_the_bridge_right_after_each_connect_is_retried_with_back_off_and_logged_once()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var feed = new FakePackFeed(TestPacks.Status(0));
        // Delays 100, 200, 400, 800, 1600 ms: the sixth connect comes at least 1.6 s after the fifth.
        var options = RunningBridge.Options(broker) with { ClientId = "bridge-kicked", MaxReconnectDelay = TimeSpan.FromMilliseconds(1600) };
        var connects = Channel.CreateUnbounded<long>();
        await using var bridge = new RunningBridge(options, feed, output: output, onStatus: status =>
        {
            if (status.State == MqttConnectionState.Connected)
            {
                connects.Writer.TryWrite(Environment.TickCount64);
            }
        });

        var times = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            times.Add(await connects.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15)));
            if (i < 5)
            {
                // A second client with the bridge's id: the broker takes the session over and drops the bridge.
                await KickAsync(broker, options.ClientId);
            }
        }

        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        output.WriteLine("gaps between connects (ms): " + string.Join(", ", gaps));
        // Without the back-off every gap would be about the minimum delay, 100 ms.
        Assert.True(gaps[^1] >= 1500, $"the last retry came {gaps[^1]} ms after the one before");
        Assert.True(gaps.Sum() >= 2900, $"five retries took only {gaps.Sum()} ms");
        // One line for the first drop and one for the reconnect after it; the same drop again is not news.
        Assert.Single(bridge.Log, l => l.Contains("lost", StringComparison.Ordinal));
        Assert.Equal(2, bridge.Log.Count(l => l.Contains("connected to", StringComparison.Ordinal)));
        Assert.Equal(MqttConnectionState.Connected, bridge.Bridge.Status.State);
    }

    /// <summary>Connects with <paramref name="clientId"/> (taking the session over) and leaves again.</summary>
    private static async Task KickAsync(MosquittoBroker broker, string clientId)
    {
        using var kicker = new MqttClientFactory().CreateMqttClient();
        var result = await kicker.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithClientId(clientId)
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        await kicker.DisconnectAsync();
    }

    [Fact]
    public async Task An_offline_pack_goes_unavailable_while_the_other_stays_online()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var feed = new FakePackFeed(TestPacks.Status(0), TestPacks.Status(1));
        await using var probe = await MqttProbe.ConnectAsync(broker);
        await using var bridge = new RunningBridge(RunningBridge.Options(broker), feed, output: output);
        await probe.WaitForAsync("seplos/battery_0/state", "online");
        await probe.WaitForAsync("seplos/battery_1/state", "online");

        var mark = probe.Mark;
        var silent = TestPacks.Status(1) with { State = PackLinkState.Offline, LastError = "no answer" };
        feed.Update(silent);
        await probe.WaitForAsync("seplos/battery_1/state", "offline", after: mark);
        await probe.WaitForAsync("seplos/battery_1/link_state", "offline", after: mark);
        Assert.DoesNotContain(probe.Messages, m => m.Index >= mark && m.Topic == "seplos/battery_0/state");

        mark = probe.Mark;
        feed.Update(TestPacks.Status(1));
        await probe.WaitForAsync("seplos/battery_1/state", "online", after: mark);
    }

    [Fact]
    public async Task Without_allow_writes_no_command_topic_is_subscribed()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var feed = new FakePackFeed(TestPacks.Status(0));
        var handler = new RecordingWriteHandler();
        var options = RunningBridge.Options(broker) with { ClientId = "bridge-under-test", WriteAllowList = ["cell_over_voltage_protection"] };
        await using var probe = await MqttProbe.ConnectAsync(broker);
        await using var bridge = new RunningBridge(options, feed, handler, output: output);
        await probe.WaitForAsync("seplos/battery_0/state", "online");

        // The broker logs every subscription; the bridge has made only the one to HA's status.
        await broker.WaitForLogAsync(l => l.Contains("bridge-under-test 1 homeassistant/status", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(broker.Log.Split('\n'), l => l.Contains("bridge-under-test", StringComparison.Ordinal) && l.Contains("/set", StringComparison.Ordinal));
        Assert.DoesNotContain(probe.Messages, m => m.Topic.StartsWith("homeassistant/number/", StringComparison.Ordinal));
        Assert.Empty(handler.Calls);
    }

    [Fact]
    public async Task With_allow_writes_a_command_reaches_the_handler_and_the_result_is_published()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var feed = new FakePackFeed(TestPacks.Status(0));
        var handler = new RecordingWriteHandler();
        var options = RunningBridge.Options(broker) with { AllowWrites = true, WriteAllowList = ["cell_over_voltage_protection"] };
        await using var probe = await MqttProbe.ConnectAsync(broker);
        await using var bridge = new RunningBridge(options, feed, handler, output: output);

        var number = MqttProbe.Json(await probe.WaitForAsync("homeassistant/number/seplos_bms_0/cell_over_voltage_protection/config"));
        Assert.Equal("seplos/battery_0/cell_over_voltage_protection/set", (string?)number["command_topic"]);
        Assert.Equal("config", (string?)number["entity_category"]);
        Assert.Equal(2.5, (double?)number["min"]);
        Assert.Equal(3.65, (double?)number["max"]);
        Assert.Equal(0.001, (double?)number["step"]);
        Assert.Equal("box", (string?)number["mode"]);
        await probe.WaitForAsync("seplos/battery_0/state", "online");

        var mark = probe.Mark;
        await probe.PublishAsync("seplos/battery_0/cell_over_voltage_protection/set", "3.600");
        var result = MqttProbe.Json(await probe.WaitForAsync("seplos/battery_0/cell_over_voltage_protection/result", after: mark));
        Assert.Equal("confirmed", (string?)result["result"]);
        Assert.Equal(((byte)0, "cell_over_voltage_protection", "3.600"), Assert.Single(handler.Calls));
        // One log line per command, with its outcome (the write queue does not log it again).
        Assert.Single(bridge.Log, l => l.Contains("write pack 0 cell_over_voltage_protection = 3.600: confirmed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_bridge_refuses_only_unknown_packs_and_leaves_number_and_range_to_the_pipeline()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var feed = new FakePackFeed(TestPacks.Status(0));
        var handler = new RecordingWriteHandler();
        var options = RunningBridge.Options(broker) with { AllowWrites = true, WriteAllowList = ["cell_over_voltage_protection"] };
        await using var probe = await MqttProbe.ConnectAsync(broker);
        await using var bridge = new RunningBridge(options, feed, handler, output: output);
        await probe.WaitForAsync("seplos/battery_0/state", "online");

        // No pack 5 on the bus: refused by the bridge with the reason, the pipeline is not bothered.
        var mark = probe.Mark;
        await probe.PublishAsync("seplos/battery_5/cell_over_voltage_protection/set", "3.6");
        var result = MqttProbe.Json(await probe.WaitForAsync("seplos/battery_5/cell_over_voltage_protection/result", after: mark));
        Assert.Equal("refused", (string?)result["result"]);
        Assert.Equal("no pack 5 on this bus", (string?)result["message"]);
        Assert.Empty(handler.Calls);
        // ... but handed to it for the journal: every attempt is on record (issue 10).
        Assert.Equal(((byte)5, "cell_over_voltage_protection", "3.6"), Assert.Single(handler.Refusals));

        // Out of range and not a number: passed on as sent, so the pipeline refuses and journals them
        // (the real pipeline's refusals are in MqttCommandTests).
        foreach (var value in new[] { "4.5", "abc" })
        {
            mark = probe.Mark;
            await probe.PublishAsync("seplos/battery_0/cell_over_voltage_protection/set", value);
            await probe.WaitForAsync("seplos/battery_0/cell_over_voltage_protection/result", after: mark);
        }
        Assert.Equal([((byte)0, "cell_over_voltage_protection", "4.5"), ((byte)0, "cell_over_voltage_protection", "abc")], handler.Calls);
    }

    [Fact]
    public async Task Republishes_unchanged_state_every_interval()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var feed = new FakePackFeed(TestPacks.Status(0));
        await using var probe = await MqttProbe.ConnectAsync(broker);
        var options = RunningBridge.Options(broker) with { RepublishInterval = TimeSpan.FromSeconds(1) };
        await using var bridge = new RunningBridge(options, feed, output: output);
        var first = await probe.WaitForAsync("seplos/battery_0/soc", "80.0");

        // Nothing changes, yet the value comes again: HA's expire_after never fires on a live bridge.
        await probe.WaitForAsync("seplos/battery_0/soc", "80.0", after: first.Index + 1);
        await probe.WaitForAsync("seplos/battery_0/state", "online", after: first.Index + 1);
    }

    [Fact]
    public async Task Announces_keys_and_device_details_that_arrive_later()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        // First poll: live blocks only, no VIA yet.
        var feed = new FakePackFeed(TestPacks.Status(0, TestPacks.Snapshot(0, blocks: [BlockId.Pia, BlockId.Pib, BlockId.Pic])));
        await using var probe = await MqttProbe.ConnectAsync(broker);
        await using var bridge = new RunningBridge(RunningBridge.Options(broker), feed, output: output);
        var early = MqttProbe.Json(await probe.WaitForAsync(SocConfig));
        Assert.Null(early["device"]!["serial_number"]);
        Assert.DoesNotContain(probe.Messages, m => m.Topic.EndsWith("/bms_serial/config", StringComparison.Ordinal));

        var mark = probe.Mark;
        feed.Update(TestPacks.Status(0));
        await probe.WaitForAsync("homeassistant/sensor/seplos_bms_0/bms_serial/config", after: mark);
        await probe.WaitForAsync("seplos/battery_0/bms_serial", TestPacks.Serial, after: mark);
        var late = MqttProbe.Json(await probe.WaitForAsync(SocConfig, after: mark));
        Assert.Equal(TestPacks.Serial, (string?)late["device"]!["serial_number"]);
        Assert.Contains("seplos_battery_0", late["device"]!["identifiers"]!.AsArray().Select(i => (string?)i));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, RunningBridge bridge)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Waited in vain for {what}. Bridge log:\n{string.Join('\n', bridge.Log)}");
            }
            // Log lines and state changes have no awaitable; poll them briefly.
            await Task.Delay(20);
        }
    }

    private sealed class RecordingWriteHandler : IMqttWriteHandler
    {
        public ConcurrentQueue<(byte Address, string Key, string Value)> Calls { get; } = new();

        public Task<MqttWriteResult> WriteAsync(byte address, string key, string value, CancellationToken cancellationToken)
        {
            Calls.Enqueue((address, key, value));
            return Task.FromResult(MqttWriteResult.Confirmed("written and read back"));
        }

        public ConcurrentQueue<(byte Address, string Key, string Value)> Refusals { get; } = new();

        public MqttWriteResult Refused(byte address, string key, string value, string reason)
        {
            Refusals.Enqueue((address, key, value));
            return MqttWriteResult.Refused(reason);
        }
    }
}
