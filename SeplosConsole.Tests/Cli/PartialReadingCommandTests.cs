using System.Text.Json;
using SeplosConsole.Seplos;
using SeplosConsole.Simulation;
using SeplosConsole.Tests.Support;
using SeplosConsole.Transport;

namespace SeplosConsole.Tests.Cli;

/// <summary>
/// Issue 11, over a real pseudo-terminal: a pack that refuses a block (the simulator's --refuse
/// faults stand in for an independent slave) still gives every other reading with the gap named,
/// exit code 3; one program per port; one simulator per link.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class PartialReadingCommandTests
{
    private static Task<SimulatedLink> Refusing(params RefusedRead[] refused)
        => SimulatedLink.StartAsync(new SimulatorOptions { RefusedReads = refused });

    private static JsonElement Json(CliRunner.Result result) => JsonDocument.Parse(result.Output).RootElement;

    private static List<(string Block, string Reason)> Missing(JsonElement root)
        => [.. root.GetProperty("missing").EnumerateArray().Select(m => (m.GetProperty("block").GetString()!, m.GetProperty("reason").GetString()!))];

    [Fact]
    public async Task A_pack_refusing_pic_gives_every_other_reading_and_names_pic_in_each_command()
    {
        await using var link = await Refusing(new RefusedRead(BlockId.Pic));

        var json = await link.RunAsync("all", "--json");
        Assert.Equal(3, json.ExitCode);
        var root = Json(json);
        Assert.True(root.GetProperty("readings").TryGetProperty("pack_voltage", out _));
        Assert.True(root.GetProperty("parameters").TryGetProperty("cell_count", out _));
        Assert.True(root.GetProperty("identity").TryGetProperty("bms_serial", out _));
        Assert.False(root.TryGetProperty("flags", out _));
        Assert.False(root.TryGetProperty("active_alarms", out _)); // no "no alarms" when they were not read
        var (block, reason) = Assert.Single(Missing(root));
        Assert.Equal("PIC", block);
        Assert.Contains("illegal data address", reason);
        Assert.Contains("warning: pack 0: PIC: pack 0 refused to send PIC", json.Error);

        var text = await link.RunAsync("all");
        Assert.Equal(3, text.ExitCode);
        Assert.Contains(text.Lines, l => l.StartsWith("pack_voltage ", StringComparison.Ordinal));
        Assert.DoesNotContain(text.Lines, l => l.StartsWith("# Flags", StringComparison.Ordinal));
        Assert.Contains("# Missing (not read)", text.Lines);
        Assert.Contains(text.Lines, l => l.StartsWith("PIC: pack 0 refused to send PIC", StringComparison.Ordinal));

        var show = await link.RunAsync("show", "soc", "charging");
        Assert.Equal(3, show.ExitCode);
        Assert.Matches(@"^soc \d+\.\d %$", Assert.Single(show.Lines));
        Assert.Contains("warning: charging: not read: PIC: pack 0 refused", show.Error);

        // What does not need PIC is complete.
        Assert.Equal(0, (await link.RunAsync("show", "soc")).ExitCode);
        Assert.Equal(0, (await link.RunAsync("info")).ExitCode);
        var backup = await link.RunAsync("backup", "pack.json");
        Assert.Equal(0, backup.ExitCode);
        Assert.Equal("", backup.Error);
    }

    [Fact]
    public async Task A_pack_refusing_via_still_gives_info_all_and_a_backup_with_a_warning_in_the_file()
    {
        await using var link = await Refusing(new RefusedRead(BlockId.Via));

        var info = await link.RunAsync("info");
        Assert.Equal(3, info.ExitCode);
        Assert.Contains("cell_count 16", info.Lines);
        Assert.Contains(info.Lines, l => l.StartsWith("inverter_name ", StringComparison.Ordinal));
        Assert.Contains(info.Lines, l => l.StartsWith("VIA: pack 0 refused to send VIA", StringComparison.Ordinal));
        Assert.DoesNotContain(info.Lines, l => l.StartsWith("bms_serial", StringComparison.Ordinal));

        var all = await link.RunAsync("all", "--json");
        Assert.Equal(3, all.ExitCode);
        var root = Json(all);
        Assert.False(root.TryGetProperty("identity", out _));
        Assert.True(root.GetProperty("flags").GetArrayLengthOrCount() > 0);
        Assert.Equal("VIA", Assert.Single(Missing(root)).Block);

        var backup = await link.RunAsync("backup", "pack.json");
        Assert.Equal(3, backup.ExitCode);
        Assert.Contains("warning: identity not read (VIA: pack 0 refused to send VIA", backup.Error);
        var file = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(link.Directory, "pack.json"))).RootElement;
        Assert.Equal(SeplosMap.FieldsOf(BlockId.Spa).Length, file.GetProperty("parameters").EnumerateObject().Count());
        Assert.Contains("identity not read", Assert.Single(file.GetProperty("warnings").EnumerateArray()).GetString());
        Assert.Equal(JsonValueKind.Null, file.GetProperty("identity").GetProperty("bms_serial").ValueKind);
    }

    [Fact]
    public async Task A_pack_refusing_pia_with_0x12_registers_is_read_with_0x11_and_the_last_register_is_named_missing()
    {
        await using var link = await Refusing(new RefusedRead(BlockId.Pia, 0x12));

        var all = await link.RunAsync("all", "--json");
        Assert.Equal(3, all.ExitCode);
        var root = Json(all);
        var readings = root.GetProperty("readings");
        Assert.True(readings.TryGetProperty("pack_voltage", out _));
        Assert.True(readings.TryGetProperty("maxchgcurt", out _));
        Assert.False(root.GetProperty("diagnostics").TryGetProperty("pia_reserved_11", out _));
        var missing = Assert.Single(root.GetProperty("missing").EnumerateArray());
        Assert.Equal("PIA", missing.GetProperty("block").GetString());
        Assert.Equal(["pia_reserved_11"], missing.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));

        var show = await link.RunAsync("show", "pack_voltage", "soc");
        Assert.Equal(0, show.ExitCode);
        Assert.Equal(2, show.Lines.Length);
        Assert.Equal("", show.Error);

        Assert.Equal(0, (await link.RunAsync("info")).ExitCode);
        Assert.Equal(0, (await link.RunAsync("backup", "pack.json")).ExitCode);
    }

    [Fact]
    public async Task A_pack_refusing_spa_fails_the_backup_but_not_the_live_readings()
    {
        await using var link = await Refusing(new RefusedRead(BlockId.Spa));

        var backup = await link.RunAsync("backup", "pack.json");
        Assert.Equal(1, backup.ExitCode);
        Assert.StartsWith("error: nothing backed up: SPA: pack 0 refused to send SPA", backup.Error);
        Assert.False(File.Exists(Path.Combine(link.Directory, "pack.json")));

        var show = await link.RunAsync("show", "soc", "cell_temp_5");
        // Without SPA the sensor count is unknown: sensor 5 is shown as read, and every key asked has its value.
        Assert.Equal(0, show.ExitCode);
        Assert.Equal(2, show.Lines.Length);
    }

    [Fact]
    public async Task Show_names_a_sensor_the_pack_says_is_not_fitted_instead_of_printing_0_degrees()
    {
        await using var link = await SimulatedLink.StartAsync();

        var result = await link.RunAsync("show", "cell_temp_1", "cell_temp_5");

        Assert.Equal(3, result.ExitCode);
        Assert.Matches(@"^cell_temp_1 \d+\.\d °C$", Assert.Single(result.Lines));
        Assert.Equal("warning: cell_temp_5: not fitted (ntc_count = 4)", result.Error.Trim());
    }

    [Fact]
    public async Task The_simulate_command_refuses_the_blocks_it_is_told_to()
    {
        var directory = TempDirectory.Create();
        var path = Path.Combine(directory, "sim");
        await using var simulator = CliRunner.StartProcess(SeplosProgram.Managed, ["simulate", "--link", path, "--refuse", "pic", "--refuse", "pia:0x12"], directory);
        await WaitForAsync(() => File.Exists(path), "the simulator's link");

        var result = await CliRunner.RunAsync(["--port", path, "all", "--json"], directory: directory);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(["PIA", "PIC"], Missing(Json(result)).Select(m => m.Block));
    }

    [Fact]
    public async Task A_bad_refuse_option_is_one_clear_line()
    {
        var result = await CliRunner.RunAsync(["simulate", "--link", Path.Combine(TempDirectory.Create(), "sim"), "--refuse", "pix"]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: --refuse: 'pix' is not a block; one of pia, pib, pic", result.Error);
    }

    [Fact]
    public async Task A_second_program_on_a_port_in_use_is_told_it_is_busy_at_once()
    {
        await using var link = await SimulatedLink.StartAsync();
        // The first program: a port held open, as the dashboard or the bridge holds it.
        await using var first = new SerialPortTransport(link.Path, SerialLineSettings.SeplosDefault);
        await first.OpenAsync(CancellationToken.None);

        var started = DateTime.UtcNow;
        var second = await link.RunAsync(SeplosProgram.Managed, "show", "soc");

        Assert.Equal(1, second.ExitCode);
        Assert.StartsWith($"error: {link.Path} is busy: another program has it open", second.Error);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), "busy is said at once, not after time-outs"); // the process start is most of it
        // In one process too (two transports are two programs' worth of descriptors).
        await using var again = new SerialPortTransport(link.Path, SerialLineSettings.SeplosDefault);
        var busy = await Assert.ThrowsAsync<TransportException>(() => again.OpenAsync(CancellationToken.None));
        Assert.Contains("is busy", busy.Message);

        // Closed, the port is free for the next one.
        await first.CloseAsync();
        var after = await link.RunAsync("show", "soc");
        Assert.Equal(0, after.ExitCode);
    }

    [Fact]
    public async Task A_second_simulator_on_a_live_link_refuses_and_leaves_the_first_one_serving()
    {
        await using var link = await SimulatedLink.StartAsync();
        var target = File.ResolveLinkTarget(link.Path, returnFinalTarget: false)!.FullName;

        var second = await CliRunner.RunProcessAsync(SeplosProgram.Managed, ["simulate", "--link", link.Path], link.Directory);

        Assert.Equal(1, second.ExitCode);
        Assert.Contains("a live simulator serves it already", second.Error);
        Assert.Equal(target, File.ResolveLinkTarget(link.Path, returnFinalTarget: false)!.FullName);
        Assert.Equal(0, (await link.RunAsync("show", "soc")).ExitCode);
    }

    [Fact]
    public async Task A_capture_replay_on_a_live_simulators_link_refuses_and_leaves_it_serving()
    {
        await using var link = await SimulatedLink.StartAsync();
        var target = File.ResolveLinkTarget(link.Path, returnFinalTarget: false)!.FullName;
        var capture = Path.Combine(link.Directory, "capture.txt");
        await File.WriteAllTextAsync(capture, "00 04 10 00 00 12 75 16\n");

        var replay = await CliRunner.RunProcessAsync(SeplosProgram.Managed, ["simulate", "--link", link.Path, "--replay", capture], link.Directory);

        Assert.Equal(1, replay.ExitCode);
        Assert.Contains("a live simulator serves it already", replay.Error);
        Assert.Equal(target, File.ResolveLinkTarget(link.Path, returnFinalTarget: false)!.FullName);
        Assert.Equal(0, (await link.RunAsync("show", "soc")).ExitCode);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"no {what} within 15 s");
            }
            // Another process makes it: there is no event to await.
            await Task.Delay(50);
        }
    }
}

internal static class JsonElementCounts
{
    public static int GetArrayLengthOrCount(this JsonElement element)
        => element.ValueKind == JsonValueKind.Array ? element.GetArrayLength() : element.EnumerateObject().Count();
}
