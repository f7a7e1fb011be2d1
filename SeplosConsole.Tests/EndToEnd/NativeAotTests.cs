using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SeplosConsole.Tests.Mqtt;
using SeplosConsole.Tests.Protocol;
using SeplosConsole.Tests.Support;
using Xunit.Abstractions;

namespace SeplosConsole.Tests.EndToEnd;

/// <summary>
/// The Native AOT program, published as the README says and run for real: the trimmed binary's
/// JSON, serial port, pseudo-terminal, MQTT and Terminal.Gui paths work at run time, not only in
/// the JIT build the other tests use.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed partial class NativeAotTests(NativeAotPublish publish, ITestOutputHelper log) : IClassFixture<NativeAotPublish>
{
    private SeplosProgram Native => publish.Program;

    [GeneratedRegex(@"\bwarning [A-Z]+\d+")]
    private static partial Regex BuildWarning();

    [Fact]
    public void The_native_publish_has_no_trim_or_AOT_warnings()
    {
        log.WriteLine($"published {NativeAotPublish.RuntimeIdentifier} in {publish.Duration.TotalSeconds:0} s");

        Assert.DoesNotMatch(BuildWarning(), publish.Log);
    }

    [Fact]
    public async Task All_json_on_the_simulator_has_the_pack_voltage_and_readable_units()
    {
        var result = await CliRunner.RunProcessAsync(Native, ["--simulate", "all", "--json"]);

        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var voltage = json.RootElement.GetProperty("readings").GetProperty("pack_voltage");
        Assert.InRange(voltage.GetProperty("value").GetDouble(), 40, 60);
        Assert.Equal("V", voltage.GetProperty("unit").GetString());
        Assert.Equal("XZH-ElecTech Co.,Ltd", json.RootElement.GetProperty("identity").GetProperty("factory_name").GetProperty("value").GetString());
        // The relaxed encoder, not \u00B0.
        Assert.Contains("\"unit\": \"°C\"", result.Output);
    }

    [Fact]
    public async Task Decode_prints_the_reference_values_of_the_vendor_PIB_example()
    {
        var result = await CliRunner.RunProcessAsync(Native, ["decode", .. $"{Frames.PibRequest} {Frames.PibResponse}".Split(' ')]);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.All(Frames.PibDecodedLines, line => Assert.Contains(line, result.Lines));
        Assert.Contains(result.Lines, l => l.StartsWith("summary: 2 valid frame(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Decode_json_writes_snake_case_enums_flags_and_the_summary()
    {
        var result = await CliRunner.RunProcessAsync(Native, ["decode", "--json", .. $"{Frames.PicRequest} {Frames.PicResponse}".Split(' ')]);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(3, result.Lines.Length);
        using var response = JsonDocument.Parse(result.Lines[1]);
        Assert.Equal("response", response.RootElement.GetProperty("kind").GetString());
        Assert.Equal("paired_request", response.RootElement.GetProperty("block_source").GetString());
        var flags = response.RootElement.GetProperty("active_flags").EnumerateArray().ToList();
        Assert.Equal(["standby", "discharge_fet_on", "charge_fet_on"], flags.Select(f => f.GetProperty("key").GetString()));
        Assert.Equal("state", flags[0].GetProperty("kind").GetString());
        using var summary = JsonDocument.Parse(result.Lines[2]);
        Assert.Equal(2, summary.RootElement.GetProperty("summary").GetProperty("valid_frames").GetInt32());
    }

    [Fact]
    public async Task Backup_restore_edit_and_journal_work_over_the_native_simulator()
    {
        await using var link = await SimulatedLink.StartAsync(Native);

        var backup = await link.RunAsync(Native, "backup", "pack.json");
        var unchanged = await link.RunAsync(Native, "restore", "pack.json", "--dry-run");
        var edit = await link.RunAsync(Native, "edit", "soc_low_alarm", "6", "--yes");
        var journal = await link.RunAsync(Native, "journal");
        var changed = await link.RunAsync(Native, "restore", "pack.json", "--dry-run");
        var restore = await link.RunAsync(Native, "restore", "pack.json", "--yes");
        var show = await link.RunAsync(Native, "show", "soc_low_alarm");

        Assert.True(backup.ExitCode == 0, backup.Error);
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(link.Directory, "pack.json")))!;
        Assert.Equal("seplos-backup/1", (string?)file["format"]);
        Assert.Equal(50, (long?)file["parameters"]!["soc_low_alarm"]!["raw"]);
        Assert.True(unchanged.ExitCode == 0, unchanged.Error);
        Assert.Contains("no differences: the pack holds the backup's values", unchanged.Output);
        Assert.True(edit.ExitCode == 0, edit.Error);
        Assert.Contains("soc_low_alarm: 5.0 % → 6.0 % (register 0x1355 raw 50 → raw 60): confirmed", edit.Output);
        Assert.True(journal.ExitCode == 0, journal.Error);
        Assert.Matches(@"confirmed\s+pack 0 soc_low_alarm 5 → 6 % \(cli, ", Assert.Single(journal.Lines));
        Assert.Contains("soc_low_alarm: pack 6.0 % → backup 5.0 %", changed.Output);
        Assert.True(restore.ExitCode == 0, restore.Error);
        Assert.Contains("restored 1 parameter(s)", restore.Output);
        Assert.Equal("soc_low_alarm 5.0 %", Assert.Single(show.Lines));
    }

    [Fact]
    public async Task The_mqtt_bridge_publishes_discovery_and_state_and_says_offline_on_SIGTERM()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var probe = await MqttProbe.ConnectAsync(broker);
        var folder = await MqttCommandTests.BridgeFolderAsync(broker);
        await using var bridge = CliRunner.StartProcess(Native, ["mqtt"], folder);

        var voltage = await probe.WaitForAsync(m => m.Topic == "seplos/battery_0/pack_voltage", "pack voltage state");
        await probe.WaitForAsync("seplos/battery_0/state", "online");
        // The simulated pack has ntc_count 4: once SPA is read, sensor 5 is withdrawn (empty retained config).
        await probe.WaitForAsync("homeassistant/sensor/seplos_bms_0/cell_temp_5/config", "");
        var mark = probe.Mark;
        var result = await bridge.StopAsync(TimeSpan.FromSeconds(20));
        await probe.WaitForAsync("seplos/battery_0/state", "offline", after: mark);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.InRange(double.Parse(voltage.Payload, System.Globalization.CultureInfo.InvariantCulture), 48, 58.4);
        var allConfigs = probe.Messages.Where(m => m.Topic.StartsWith("homeassistant/", StringComparison.Ordinal) && m.Topic.EndsWith("/config", StringComparison.Ordinal)).ToList();
        Assert.Equal("", allConfigs.Last(m => m.Topic == "homeassistant/sensor/seplos_bms_0/cell_temp_5/config").Payload);
        var configs = allConfigs.Where(m => m.Payload.Length > 0).ToList();
        Assert.All(Enumerable.Range(1, 16), cell => Assert.Contains(configs, m => m.Topic == $"homeassistant/sensor/seplos_bms_0/cell_{cell}/config"));
        var parsed = configs.Select(MqttProbe.Json).ToList();
        Assert.All(parsed, config =>
        {
            Assert.False(string.IsNullOrEmpty((string?)config["unique_id"]));
            Assert.Contains("seplos_battery_0", config["device"]!["identifiers"]!.AsArray().Select(id => (string?)id));
        });
        // Discovery is published again when a block first arrives (and after reconnects): per topic the
        // newest config counts, and no two entities share a unique_id.
        var newestPerTopic = configs.GroupBy(m => m.Topic).Select(g => MqttProbe.Json(g.Last())).ToList();
        Assert.Equal(newestPerTopic.Count, newestPerTopic.Select(c => (string?)c["unique_id"]).Distinct().Count());
        var temperature = configs.First(m => m.Topic == "homeassistant/sensor/seplos_bms_0/cell_temp_1/config");
        Assert.Contains("\"unit_of_measurement\":\"°C\"", temperature.Payload);
    }

    [Fact]
    public async Task The_dashboard_shows_the_pack_voltage_and_16_cells_and_q_quits_with_0()
    {
        var folder = TempDirectory.Create();
        var stderr = Path.Combine(folder, "stderr.txt");
        var status = Path.Combine(folder, "exit-status.txt");
        // The test host sets DisableRealDriverIO for the headless tests; the real program must not inherit it.
        await using var terminal = await Tmux.StartAsync(
            $"cd '{folder}' && env -u DisableRealDriverIO {Native.ShellCommand} --simulate 2>'{stderr}'; echo $? > '{status}'", 100, 32);

        var monitor = await terminal.WaitForScreenAsync(s => DashboardInTmuxTests.CellVoltage().Count(s) >= 16 && s.Contains("ONLINE", StringComparison.Ordinal), "16 cell voltages and ONLINE");
        await terminal.SendKeysAsync("q");
        var exitCode = (await Files.WaitForContentAsync(status, TimeSpan.FromSeconds(15))).Trim();

        Assert.Matches(@"Voltage\s+\d\d\.\d\d V", monitor);
        var cells = DashboardInTmuxTests.CellVoltage().Matches(monitor).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.True(Enumerable.Range(1, 16).All(cells.Contains), "every cell 1–16 on screen:\n" + monitor);
        Assert.True(exitCode == "0", $"exit code {exitCode}: {await File.ReadAllTextAsync(stderr)}");
    }
}
