using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>`seplos mqtt` as systemd runs it: the real command, the simulator, a real mosquitto.</summary>
public sealed class MqttCommandTests
{
    /// <summary>A folder whose seplos.ini makes `seplos mqtt` bridge the simulator to <paramref name="broker"/>.</summary>
    internal static async Task<string> BridgeFolderAsync(MosquittoBroker broker, string extraMqtt = "")
    {
        var directory = TempDirectory.Create();
        await File.WriteAllTextAsync(Path.Combine(directory, "seplos.ini"),
            $"[seplos]\nserial = sim\ninterval_ms = 300\njournal = {Path.Combine(directory, "journal.jsonl")}\n" +
            $"[mqtt]\nserver = {broker.Host}\nport = {broker.Port}\nprefix = seplos\n{extraMqtt}");
        return directory;
    }

    private static async Task<(CancellationTokenSource Stop, Task<CliRunner.Result> Run)> StartBridgeAsync(MosquittoBroker broker, string extraMqtt = "")
    {
        var directory = await BridgeFolderAsync(broker, extraMqtt);
        var stop = new CancellationTokenSource();
        var run = CliRunner.RunUntilCancelledAsync(["mqtt"], directory, stop.Token);
        return (stop, run);
    }

    /// <summary>
    /// Called from a test's <c>finally</c>: a bridge the test did not already stop and await (an
    /// assertion failed first) is stopped and awaited here, so it never outlives its test.
    /// </summary>
    private static async Task EnsureStoppedAsync(CancellationTokenSource stop, Task<CliRunner.Result> run)
    {
        if (run.IsCompleted)
        {
            return;
        }
        await stop.CancelAsync();
        try
        {
            await run.WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (Exception)
        {
            // Not swallowed: we only get here when the test body already failed, and that failure is
            // the one to report; a bridge that also fails to stop must not hide it.
        }
    }

    [Fact]
    public async Task Seplos_simulate_mqtt_fills_discovery_and_state_and_says_offline_on_stop()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var probe = await MqttProbe.ConnectAsync(broker);
        var (stop, run) = await StartBridgeAsync(broker);
        using var _ = stop;
        try
        {
            var voltage = await probe.WaitForAsync(m => m.Topic == "seplos/battery_0/pack_voltage", "pack voltage state");
            await probe.WaitForAsync("seplos/battery_0/state", "online");
            await probe.WaitForAsync(m => m.Topic == "seplos/battery_0/cell_16", "cell 16 state");
            // What Home Assistant finds when it starts later: the retained discovery and state.
            await using var late = await MqttProbe.ConnectAsync(broker);
            var config = await late.WaitForAsync(m => m.Topic == "homeassistant/sensor/seplos_bms_0/pack_voltage/config" && m.Retain, "retained pack voltage discovery");
            await late.WaitForAsync(m => m.Topic == "seplos/battery_0/cell_16" && m.Retain, "retained cell 16 state");
            var mark = probe.Mark;
            await stop.CancelAsync();
            var result = await run.WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal("voltage", (string?)MqttProbe.Json(config)["device_class"]);
            Assert.InRange(double.Parse(voltage.Payload, System.Globalization.CultureInfo.InvariantCulture), 48, 58.4);
            await probe.WaitForAsync("seplos/battery_0/state", "offline", after: mark);
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("polling pack(s) 0 on sim", result.Error);
        }
        finally
        {
            await EnsureStoppedAsync(stop, run);
        }
    }

    [Fact]
    public async Task A_write_from_home_assistant_goes_through_the_pipeline_and_its_result_is_published_journaled_and_logged_once()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var probe = await MqttProbe.ConnectAsync(broker);
        var directory = await BridgeFolderAsync(broker, "allow_writes = true\nwrite_allow_list = soc_low_alarm\n");
        using var stop = new CancellationTokenSource();
        var run = CliRunner.RunUntilCancelledAsync(["mqtt"], directory, stop.Token);
        try
        {
            await probe.WaitForAsync(m => m.Topic == "homeassistant/number/seplos_bms_0/soc_low_alarm/config", "number entity");
            await probe.WaitForAsync("seplos/battery_0/state", "online");

            async Task<System.Text.Json.Nodes.JsonObject> WriteAsync(string value)
            {
                var mark = probe.Mark;
                await probe.PublishAsync("seplos/battery_0/soc_low_alarm/set", value);
                return MqttProbe.Json(await probe.WaitForAsync(m => m.Topic == "seplos/battery_0/soc_low_alarm/result", $"result of {value}", after: mark));
            }
            var confirmed = await WriteAsync("6");
            var tooLarge = await WriteAsync("7.5");
            var outOfRange = await WriteAsync("150");
            var notANumber = await WriteAsync("abc");
            await stop.CancelAsync();
            var result = await run.WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal("confirmed", ((string?)confirmed["result"])?.ToLowerInvariant());
            // 6.0 → 7.5 % keeps every relation but is more than the 20 % a write may change without force; HA has no force.
            Assert.Equal("refused", ((string?)tooLarge["result"])?.ToLowerInvariant());
            Assert.Contains("20", (string?)tooLarge["message"]);
            // Range and number are the pipeline's checks now; their reasons reach HA all the same.
            Assert.Equal("refused", ((string?)outOfRange["result"])?.ToLowerInvariant());
            Assert.Contains("outside the safe range", (string?)outOfRange["message"]);
            Assert.Equal("refused", ((string?)notANumber["result"])?.ToLowerInvariant());
            Assert.Contains("not a number", (string?)notANumber["message"]);

            // Every attempt is on record with its source, the refused ones too, and a refused write is stopped before the bus write.
            var journal = new SeplosConsole.Services.Writes.WriteJournal(Path.Combine(directory, "journal.jsonl")).Read();
            Assert.Equal(["6", "6", "7.5", "150", "abc"], journal.Select(e => e.Requested));
            Assert.All(journal, e => Assert.Equal(SeplosConsole.Mqtt.WriteQueueHandler.Source, e.Source));
            Assert.Equal(["sending", "confirmed", "refused", "refused", "refused"], journal.Select(e => e.Result));
            Assert.Equal(6.0, journal[1].NewValue);

            // One log line per command, not one from the bridge and another from the write queue.
            var lines = result.Error.Split('\n');
            Assert.Single(lines, l => l.Contains("soc_low_alarm = 6:", StringComparison.Ordinal));
            Assert.Single(lines, l => l.Contains("soc_low_alarm = abc:", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains("write from MQTT", StringComparison.Ordinal));
        }
        finally
        {
            await EnsureStoppedAsync(stop, run);
        }
    }

    [Fact]
    public async Task Without_a_broker_in_the_config_mqtt_says_what_to_set()
    {
        var result = await CliRunner.RunAsync(["--simulate", "mqtt"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no MQTT broker configured", result.Error);
    }
}
