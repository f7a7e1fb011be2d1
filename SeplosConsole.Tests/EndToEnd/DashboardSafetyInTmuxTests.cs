using SeplosConsole.Simulation;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.EndToEnd;

/// <summary>
/// Issue 10 in a real terminal: the confirmation needs "yes" typed in full, keys typed into the edit
/// field stay there after a cancelled confirmation, small terminals keep every cell and say what they
/// hide, and a missing port is explained as the CLI explains it.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class DashboardSafetyInTmuxTests
{
    private static string Dashboard(SimulatedLink link, string arguments)
        => $"cd '{link.Directory}' && exec env -u DisableRealDriverIO {SeplosProgram.Managed.ShellCommand} --port '{link.Path}' {arguments}";

    /// <summary>The dashboard on the link's pack 0 in a 100×32 terminal, once it reads ONLINE.</summary>
    private static async Task<Tmux> OnlineAsync(SimulatedLink link)
    {
        var terminal = await Tmux.StartAsync(Dashboard(link, ""), 100, 32);
        try
        {
            await terminal.WaitForScreenAsync(s => s.Contains("ONLINE", StringComparison.Ordinal), "ONLINE");
            return terminal;
        }
        catch
        {
            await terminal.DisposeAsync();
            throw;
        }
    }

    private static async Task<string> EditAsync(Tmux terminal, string keyAndValue)
    {
        await terminal.SendKeysAsync("e");
        await terminal.WaitForScreenAsync(s => s.Contains("Edit:", StringComparison.Ordinal), "the edit field");
        await terminal.TypeAsync(keyAndValue);
        await terminal.SendKeysAsync("Enter");
        return await terminal.WaitForScreenAsync(s => s.Contains("Type yes and Enter to write", StringComparison.Ordinal), "the confirmation dialog");
    }

    [Fact]
    public async Task A_single_y_and_Enter_does_not_write_and_yes_in_full_does()
    {
        await using var link = await SimulatedLink.StartAsync();
        var before = link.Simulator.Pack(0).Value("soc_low_alarm");
        await using var terminal = await OnlineAsync(link);

        var dialog = await EditAsync(terminal, "soc_low_alarm 6");
        Assert.Contains("5.0 % → 6.0 % (register 0x1355 raw 50 → raw 60)", dialog);
        await terminal.TypeAsync("y");
        await terminal.SendKeysAsync("Enter");
        await terminal.WaitForScreenAsync(s => s.Contains("not written: soc_low_alarm (cancelled)", StringComparison.Ordinal), "the cancelled write");
        Assert.Equal(before, link.Simulator.Pack(0).Value("soc_low_alarm"));

        // The edit field still holds the text: Enter asks again; this time "yes" in full.
        await terminal.SendKeysAsync("Enter");
        await terminal.WaitForScreenAsync(s => s.Contains("Type yes and Enter to write", StringComparison.Ordinal), "the confirmation dialog again");
        await terminal.TypeAsync("yes");
        await terminal.SendKeysAsync("Enter");
        await terminal.WaitForScreenAsync(s => s.Contains("confirmed: soc_low_alarm", StringComparison.Ordinal), "the confirmed write");
        Assert.Equal(6.0, link.Simulator.Pack(0).Value("soc_low_alarm"));
    }

    [Fact]
    public async Task Ctrl_C_in_the_dialog_cancels_and_the_dashboard_keeps_running()
    {
        await using var link = await SimulatedLink.StartAsync();
        var before = link.Simulator.Pack(0).Value("soc_low_alarm");
        await using var terminal = await OnlineAsync(link);

        await EditAsync(terminal, "soc_low_alarm 6");
        await terminal.TypeAsync("yes");
        await terminal.SendKeysAsync("C-c");
        var screen = await terminal.WaitForScreenAsync(s => s.Contains("not written: soc_low_alarm (cancelled)", StringComparison.Ordinal), "the cancelled write");

        Assert.DoesNotContain("Type yes and Enter to write", screen);
        Assert.Contains("ONLINE", screen);
        Assert.Equal(before, link.Simulator.Pack(0).Value("soc_low_alarm"));
    }

    [Fact]
    public async Task After_a_cancelled_confirmation_digits_and_letters_are_typed_into_the_field()
    {
        // The repro, key for key: --address 0-3, ], t, e, text, Enter, Esc, BackSpace, 3, 55, Enter.
        await using var link = await SimulatedLink.StartAsync(new SimulatorOptions { Addresses = [0, 1, 2, 3] });
        await using var terminal = await Tmux.StartAsync(Dashboard(link, "--address 0-3"), 100, 32);
        await terminal.WaitForScreenAsync(s => s.Contains(" 3 ", StringComparison.Ordinal) && s.Contains("ONLINE", StringComparison.Ordinal), "four packs online");
        await terminal.SendKeysAsync("]");
        await terminal.WaitForScreenAsync(s => s.Contains("| pack 1", StringComparison.Ordinal), "pack 1 selected");
        await terminal.SendKeysAsync("t");
        await terminal.WaitForScreenAsync(s => s.Contains("Safe range", StringComparison.Ordinal), "the parameter table");
        await EditAsync(terminal, "cell_high_voltage_alarm 3.6");
        await terminal.SendKeysAsync("Escape");
        await terminal.WaitForScreenAsync(s => s.Contains("(cancelled)", StringComparison.Ordinal), "the cancelled write");

        await terminal.SendKeysAsync("BSpace");
        await terminal.TypeAsync("3");
        await terminal.TypeAsync("55");
        var typed = await terminal.WaitForScreenAsync(s => s.Contains("Edit: cell_high_voltage_alarm 3.355", StringComparison.Ordinal), "3.355 in the edit field");
        Assert.Contains("| pack 1", typed);
        await terminal.SendKeysAsync("Enter");
        // 3.355 is below the pack's recovery value (3.400), so the pipeline refuses it: what matters
        // here is that 3.355, not "3.", was checked, and for pack 1.
        var refused = await terminal.WaitForScreenAsync(s => s.Contains("cell_high_voltage_alarm 3.355 V", StringComparison.Ordinal), "the check of 3.355");
        Assert.Contains("| pack 1", refused);
        Assert.DoesNotContain("Type yes", refused);
        // q, e and a digit typed in the field are text too; the dashboard is still there.
        await terminal.TypeAsync("qe2");
        var after = await terminal.WaitForScreenAsync(s => s.Contains("3.355qe2", StringComparison.Ordinal), "qe2 typed into the field");
        Assert.Contains("| pack 1", after);
    }

    [Theory]
    [InlineData(80, 24)]
    [InlineData(60, 20)]
    public async Task Small_terminals_show_all_16_cells_the_alarms_line_and_help(int width, int height)
    {
        await using var link = await SimulatedLink.StartAsync();
        await using var terminal = await Tmux.StartAsync(Dashboard(link, ""), width, height);

        var screen = await terminal.WaitForScreenAsync(s => DashboardInTmuxTests.CellVoltage().Count(s) >= 16 && s.Contains("ONLINE", StringComparison.Ordinal), "16 cells and ONLINE");

        var cells = DashboardInTmuxTests.CellVoltage().Matches(screen).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.True(Enumerable.Range(1, 16).All(cells.Contains), screen);
        Assert.Contains("all clear", screen);
        Assert.Contains("┤Log├", screen);
        Assert.EndsWith("? help", screen.TrimEnd('\n').Split('\n')[^1].TrimEnd());
        Assert.DoesNotContain("hidden", screen);
        if (width >= 80)
        {
            Assert.Contains("bar ", screen);
        }
    }

    [Fact]
    public async Task A_terminal_too_small_for_the_log_and_alarms_says_so()
    {
        await using var link = await SimulatedLink.StartAsync();
        await using var terminal = await Tmux.StartAsync(Dashboard(link, ""), 60, 15);

        var screen = await terminal.WaitForScreenAsync(s => s.Contains("ONLINE", StringComparison.Ordinal), "ONLINE");

        Assert.Contains("hidden: alarms, log", screen);
    }

    [Fact]
    public async Task A_missing_port_is_explained_in_the_dashboard_as_the_CLI_explains_it()
    {
        var directory = Directory.CreateTempSubdirectory("seplos-missing-").FullName;
        var port = Path.Combine(directory, "ttyUSB9");
        try
        {
            var cli = await CliRunner.RunAsync(["--port", port, "show", "soc"]);
            // The CLI says "error: " before it; the sentence after is the one the dashboard must show.
            var reason = cli.Error.Trim().Replace("error: ", "", StringComparison.Ordinal);
            Assert.Contains("does not exist (is the adapter plugged in?", reason);

            await using var terminal = await Tmux.StartAsync($"cd '{directory}' && exec env -u DisableRealDriverIO {SeplosProgram.Managed.ShellCommand} --port '{port}'", 120, 32);
            var screen = await terminal.WaitForScreenAsync(s => s.Contains("DISCONNECTED", StringComparison.Ordinal) && s.Contains("adapter plugged in", StringComparison.Ordinal), "the reason on screen");

            // The log has the CLI's sentence in full (the status line may shorten it).
            Assert.Contains("ERROR " + reason, string.Join(' ', screen.Split('\n').Select(l => l.Trim('│', ' '))));
            Assert.Contains("DISCONNECTED | serial port", screen);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
