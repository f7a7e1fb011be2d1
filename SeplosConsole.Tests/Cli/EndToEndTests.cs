using System.Text.Json;
using SeplosConsole.Seplos;
using SeplosConsole.Services.Writes;
using SeplosConsole.Simulation;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Cli;

/// <summary>The command line against the simulator on a real pseudo-terminal, as a user runs it.</summary>
[Collection(TimingCollection.Name)]
public class EndToEndTests
{
    private static double? Held(SimulatedLink link, string key, byte address = 0) => link.Simulator.Pack(address).Value(key);

    private static Dictionary<string, double?> Parameters(SimulatedLink link)
        => SeplosMap.FieldsOf(BlockId.Spa).Where(f => f.Writable).ToDictionary(f => f.Key, f => Held(link, f.Key));

    [Fact]
    public async Task Show_reads_pack_voltage_and_soc_over_a_serial_port()
    {
        await using var link = await SimulatedLink.StartAsync();

        var result = await link.RunAsync("show", "pack_voltage", "soc");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^pack_voltage \d\d\.\d\d V$", result.Lines[0]);
        Assert.Matches(@"^soc \d+\.\d %$", result.Lines[1]);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Show_for_several_addresses_prefixes_each_line_with_its_pack()
    {
        await using var link = await SimulatedLink.StartAsync(new SimulatorOptions { Addresses = [0, 1] });

        var result = await link.RunAsync("--address", "0,1", "show", "soc");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("battery_0/soc ", result.Lines[0]);
        Assert.StartsWith("battery_1/soc ", result.Lines[1]);
    }

    [Fact]
    public async Task A_silent_address_is_named_with_the_port_and_the_tries()
    {
        await using var link = await SimulatedLink.StartAsync();

        var result = await link.RunAsync("--address", "5", "show", "soc");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("address 5", result.Error);
        Assert.Contains(link.Path, result.Error);
        Assert.Contains("after 3 tries", result.Error);
    }

    [Fact]
    public async Task All_json_on_the_simulator_has_every_reading_flag_and_parameter_of_pack_0()
    {
        var result = await CliRunner.RunAsync(["--simulate", "all", "--json"]);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        var readings = root.GetProperty("readings");
        // The simulated pack has ntc_count 4: sensors 5–8 are absent, named as not fitted, never 0 °C.
        // Their alarm bits with them (PIC bytes 4 and 5), absent rather than "off".
        string[] notFitted = ["cell_temp_5", "cell_temp_6", "cell_temp_7", "cell_temp_8",
            .. SeplosMap.OptionalSensorFlags.Where(f => f.FittedWhen!.CountKey == "ntc_count" && f.FittedWhen.Number > 4).Select(f => f.Key)];
        Assert.Equal(notFitted, root.GetProperty("not_fitted").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, root.GetProperty("missing").GetArrayLength());
        foreach (var field in SeplosMap.Fields.Where(f => f.Category == FieldCategory.Reading))
        {
            Assert.True(readings.TryGetProperty(field.Key, out _) != notFitted.Contains(field.Key), $"reading {field.Key} present or absent wrongly");
        }
        var parameters = root.GetProperty("parameters");
        foreach (var field in SeplosMap.Parameters)
        {
            Assert.True(parameters.TryGetProperty(field.Key, out _), $"missing parameter {field.Key}");
        }
        var flags = root.GetProperty("flags");
        foreach (var flag in SeplosMap.FlagsOf(BlockId.Pic))
        {
            Assert.True(flags.TryGetProperty(flag.Key, out _) != notFitted.Contains(flag.Key), $"flag {flag.Key} present or absent wrongly");
        }
        Assert.Equal("XZH-ElecTech Co.,Ltd", root.GetProperty("identity").GetProperty("factory_name").GetProperty("value").GetString());
        Assert.Equal("V", readings.GetProperty("pack_voltage").GetProperty("unit").GetString());
    }

    [Fact]
    public async Task Edit_with_yes_prints_old_and_new_confirms_and_show_then_returns_the_new_value()
    {
        await using var link = await SimulatedLink.StartAsync();

        var edit = await link.RunAsync("edit", "battery_low_voltage_alarm", "45", "--yes");
        var show = await link.RunAsync("show", "battery_low_voltage_alarm");

        Assert.Equal(0, edit.ExitCode);
        Assert.Contains("battery_low_voltage_alarm: 46.40 V → 45.00 V (register 0x1307 raw 4640 → raw 4500): confirmed", edit.Output);
        Assert.Equal("battery_low_voltage_alarm 45.00 V", show.Lines.Single());
        Assert.Equal(45.0, Held(link, "battery_low_voltage_alarm"));
    }

    [Theory]
    [InlineData("battery_low_voltage_alarm", "0", "outside the safe range")]
    [InlineData("battery_low_voltage_alarm", "70", "outside the safe range")]
    [InlineData("battery_low_voltage_alarm", "abc", "not a number")]
    [InlineData("battery_low_volt_alarm", "45", "did you mean battery_low_voltage_alarm")]
    [InlineData("cell_count", "15", "read-only")]
    [InlineData("soc_low_alarm", "7", "use force (--force)")]
    public async Task Refused_edits_exit_1_with_the_reason_and_leave_the_register_unchanged(string key, string value, string reason)
    {
        await using var link = await SimulatedLink.StartAsync();
        var before = Parameters(link);

        var result = await link.RunAsync("edit", key, value, "--yes");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(reason, result.Error);
        // Every parameter an edit could write; read-only SPA registers (remaining capacity) follow the charge model.
        Assert.Equal(before, Parameters(link));
        var journal = new WriteJournal(link.JournalPath).Read();
        Assert.Equal("refused", Assert.Single(journal).Result);
    }

    [Fact]
    public async Task Edit_asks_for_yes_typed_in_full_at_a_terminal()
    {
        await using var link = await SimulatedLink.StartAsync();

        var declined = await link.RunAsync("y\n", true, "edit", "soc_low_alarm", "6");
        var accepted = await link.RunAsync("yes\n", true, "edit", "soc_low_alarm", "6");

        Assert.Equal(1, declined.ExitCode);
        Assert.Contains("Type yes to write this to pack 0", declined.Output);
        Assert.Contains("cancelled", declined.Error);
        Assert.Equal(0, accepted.ExitCode);
        Assert.Equal(6.0, Held(link, "soc_low_alarm"));
        Assert.Equal(["cancelled", "sending", "confirmed"], new WriteJournal(link.JournalPath).Read().Select(e => e.Result));
    }

    [Fact]
    public async Task Edit_without_a_terminal_and_without_yes_writes_nothing()
    {
        await using var link = await SimulatedLink.StartAsync();

        var result = await link.RunAsync("-e", "soc_low_alarm", "6");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no terminal to confirm on", result.Error);
        Assert.Equal(5.0, Held(link, "soc_low_alarm"));
    }

    [Fact]
    public async Task A_pack_that_goes_silent_during_the_write_ends_not_confirmed_and_is_journaled()
    {
        await using var link = await SimulatedLink.StartAsync();
        // The answer "yes" arrives after the pack has been read; from then on it answers nothing.
        var input = new CallbackReader(() => link.Simulator.Faults.InjectAlways(SimulatedFault.NoReply), "yes");

        var result = await CliRunner.RunAsync(["--port", link.Path, "edit", "soc_low_alarm", "6"], input, interactive: true, directory: link.Directory);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not confirmed", result.Error);
        Assert.Contains("state is unknown", result.Error);
        Assert.Equal(["sending", "not_confirmed"], new WriteJournal(link.JournalPath).Read().Select(e => e.Result));
    }

    [Fact]
    public async Task A_pack_that_is_silent_from_the_start_is_journaled_as_failed()
    {
        await using var link = await SimulatedLink.StartAsync();
        link.Simulator.Faults.InjectAlways(SimulatedFault.NoReply);

        var result = await link.RunAsync("edit", "soc_low_alarm", "6", "--yes");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("failed", Assert.Single(new WriteJournal(link.JournalPath).Read()).Result);
    }

    /// <summary>Answers a prompt with a line, doing something first (a fault at the moment of confirmation).</summary>
    private sealed class CallbackReader(Action beforeAnswer, string answer) : TextReader
    {
        private bool _answered;

        public override string? ReadLine()
        {
            if (_answered)
            {
                return null;
            }
            _answered = true;
            beforeAnswer();
            return answer;
        }

        public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) => ValueTask.FromResult(ReadLine());
    }

    /// <summary>Backs the link's pack up to pack0.json in the link's folder; the backup must succeed.</summary>
    private static async Task<string> BackupAsync(SimulatedLink link)
    {
        var file = Path.Combine(link.Directory, "pack0.json");
        var backup = await link.RunAsync("backup", file);
        Assert.True(backup.ExitCode == 0, $"backup: exit code {backup.ExitCode}: {backup.Error}");
        return file;
    }

    [Fact]
    public async Task Backup_then_restore_dry_run_reports_no_differences()
    {
        await using var link = await SimulatedLink.StartAsync();

        var file = await BackupAsync(link);
        var restore = await link.RunAsync("restore", file, "--dry-run");

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        Assert.Equal(4640, json.RootElement.GetProperty("parameters").GetProperty("battery_low_voltage_alarm").GetProperty("raw").GetInt64());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("identity").GetProperty("bms_serial").GetString()));
        Assert.Equal(0, restore.ExitCode);
        Assert.Contains("no differences", restore.Output);
    }

    [Fact]
    public async Task Restore_puts_changed_values_back_in_a_safe_order_through_the_pipeline()
    {
        await using var link = await SimulatedLink.StartAsync();
        var file = await BackupAsync(link);
        Assert.Equal(0, (await link.RunAsync("edit", "battery_low_voltage_alarm", "45", "--yes")).ExitCode);
        Assert.Equal(0, (await link.RunAsync("edit", "soc_low_alarm", "6", "--yes")).ExitCode);

        var dry = await link.RunAsync("restore", file, "--dry-run");
        var afterDryRun = Held(link, "battery_low_voltage_alarm");
        var real = await link.RunAsync("restore", file, "--yes");

        Assert.Contains("battery_low_voltage_alarm: pack 45.00 V → backup 46.40 V", dry.Output);
        Assert.Equal(45.0, afterDryRun);
        Assert.Equal(0, real.ExitCode);
        Assert.Equal(46.4, Held(link, "battery_low_voltage_alarm"));
        Assert.Equal(5.0, Held(link, "soc_low_alarm"));
        Assert.Contains("restored 2 parameter(s)", real.Output);
    }

    [Fact]
    public async Task Restore_refuses_a_backup_from_another_model_even_when_forced()
    {
        await using var link = await SimulatedLink.StartAsync();
        var file = await BackupAsync(link);
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("SG16S200A-SP57B-A", "SG15S100A-OTHER", StringComparison.Ordinal));

        var refused = await link.RunAsync("restore", file, "--dry-run");
        var forced = await link.RunAsync("restore", file, "--dry-run", "--force");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("the backup is from a SG15S100A-OTHER", refused.Error);
        // Another model's parameters mean other things: --force does not override that.
        Assert.Equal(1, forced.ExitCode);
        Assert.Contains("a backup is restored only onto the same model", forced.Error);
    }

    [Fact]
    public async Task Journal_lists_one_line_per_attempt()
    {
        await using var link = await SimulatedLink.StartAsync();
        await link.RunAsync("edit", "soc_low_alarm", "6", "--yes");
        await link.RunAsync("edit", "soc_low_alarm", "abc", "--yes");

        var journal = await link.RunAsync("journal");

        Assert.Equal(0, journal.ExitCode);
        Assert.Equal(2, journal.Lines.Length);
        Assert.Contains("confirmed", journal.Lines[0]);
        Assert.Contains("refused", journal.Lines[1]);
    }
}

/// <summary>Command-line runs whose outcome depends on the simulator answering in real time.</summary>
[Collection(TimingCollection.Name)]
public class EndToEndTimingTests
{
    [Fact]
    public async Task An_answer_meant_for_the_program_that_had_the_port_before_is_not_taken_for_ours()
    {
        await using var link = await SimulatedLink.StartAsync();
        // Another program asks for the first SPA half and closes the port before the answer comes.
        using (var other = new System.IO.Ports.SerialPort(link.Path, 19200))
        {
            other.Open();
            var request = SeplosConsole.Rtu.RtuRequest.ReadInputRegisters(0, 0x1300, 0x35).Encode();
            other.Write(request, 0, request.Length);
            other.BaseStream.Dispose();
            other.Close();
        }

        // Our SPA read starts with the same request shape: the stray answer must not shift the halves.
        var result = await link.RunAsync("show", "soc_low_alarm", "charging_request_voltage");

        Assert.Equal(["soc_low_alarm 5.0 %", "charging_request_voltage 57.60 V"], result.Lines);
    }
}
