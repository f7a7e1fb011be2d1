using System.Text.RegularExpressions;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.EndToEnd;

/// <summary>
/// The real program in a real terminal on the simulator: what a person sees, what a person types,
/// and what the pack holds afterwards.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed partial class DashboardInTmuxTests
{
    /// <summary>A cell's number and voltage as the monitor shows them.</summary>
    [GeneratedRegex(@"\b(\d{1,2}) (3\.\d{3})")]
    internal static partial Regex CellVoltage();

    [Fact]
    public async Task The_dashboard_shows_the_pack_and_an_edit_made_in_it_reaches_the_pack()
    {
        await using var link = await SimulatedLink.StartAsync();
        // The test host sets DisableRealDriverIO for the headless tests; the real program must not inherit it.
        var stderr = Path.Combine(link.Directory, "stderr.txt");
        var status = Path.Combine(link.Directory, "exit-status.txt");
        await using var terminal = await Tmux.StartAsync(
            $"cd '{link.Directory}' && env -u DisableRealDriverIO {SeplosProgram.Managed.ShellCommand} --port '{link.Path}' 2>'{stderr}'; echo $? > '{status}'", 100, 32);

        var monitor = await terminal.WaitForScreenAsync(s => CellVoltage().Count(s) >= 16 && s.Contains("ONLINE", StringComparison.Ordinal), "16 cell voltages and ONLINE");
        Assert.Matches(@"Voltage\s+\d\d\.\d\d V", monitor);
        var cells = CellVoltage().Matches(monitor).Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
        Assert.True(Enumerable.Range(1, 16).All(cells.Contains), "every cell 1–16 on screen:\n" + monitor);

        await terminal.SendKeysAsync("t");
        await terminal.WaitForScreenAsync(s => s.Contains("battery_low_voltage_alarm", StringComparison.Ordinal), "the parameter table");
        await terminal.SendKeysAsync("e");
        await terminal.TypeAsync("soc_low_alarm 6");
        await terminal.SendKeysAsync("Enter");
        await terminal.WaitForScreenAsync(s => s.Contains("5.0 % → 6.0 % (register 0x1355 raw 50 → raw 60)", StringComparison.Ordinal), "the confirmation dialog");
        // Only "yes" typed in full writes (issue 10).
        await terminal.TypeAsync("yes");
        await terminal.SendKeysAsync("Enter");
        await terminal.WaitForScreenAsync(s => s.Contains("confirmed: soc_low_alarm", StringComparison.Ordinal), "the confirmed write");
        // Esc leaves the edit field, a second Esc goes back to the monitor, where `q` quits. (Esc
        // followed at once by another key would reach the program as Alt+key: wait for each first.)
        await terminal.SendKeysAsync("Escape");
        await terminal.WaitForScreenAsync(s => s.Contains(SeplosConsole.Tui.ParametersView.LeftFieldHint, StringComparison.Ordinal), "the edit field left");
        await terminal.SendKeysAsync("Escape");
        await terminal.WaitForScreenAsync(s => s.Contains("Cells", StringComparison.Ordinal) && !s.Contains("Safe range", StringComparison.Ordinal), "the monitor view again");
        await terminal.SendKeysAsync("q");
        // The shell around the program writes its exit status when it ends (tmux's own pane status
        // is not always filled in by the time the pane is reported dead).
        var exitCode = (await Files.WaitForContentAsync(status, TimeSpan.FromSeconds(15))).Trim();
        Assert.True(exitCode == "0", $"exit code {exitCode}: {await File.ReadAllTextAsync(stderr)}");

        var show = await link.RunAsync("show", "soc_low_alarm");
        Assert.Equal("soc_low_alarm 6.0 %", show.Lines.Single());
    }

    [Fact]
    public async Task H_browses_the_packs_history_in_an_80_by_24_terminal()
    {
        await using var link = await SimulatedLink.StartAsync(new global::SeplosConsole.Simulation.SimulatorOptions { HistoryRecords = 20 });
        var newest = link.Simulator.Pack(0).History[0];
        var status = Path.Combine(link.Directory, "exit-status.txt");
        await using var terminal = await Tmux.StartAsync(
            $"cd '{link.Directory}' && env -u DisableRealDriverIO {SeplosProgram.Managed.ShellCommand} --port '{link.Path}' 2>/dev/null; echo $? > '{status}'", 80, 24);
        await terminal.WaitForScreenAsync(s => s.Contains("ONLINE", StringComparison.Ordinal), "ONLINE");

        await terminal.SendKeysAsync("h");
        var table = await terminal.WaitForScreenAsync(s => s.Contains("History of pack 0: 20 records", StringComparison.Ordinal), "the whole history downloaded", TimeSpan.FromSeconds(30));
        Assert.Contains(newest.DateText, table);
        await terminal.SendKeysAsync("Enter");
        var detail = await terminal.WaitForScreenAsync(s => s.Contains("events: ", StringComparison.Ordinal), "the newest record's cells");
        Assert.Contains($" 1:{newest.Cells[0]:0.000}", detail);
        Assert.Contains($"16:{newest.Cells[15]:0.000}", detail);

        await terminal.SendKeysAsync("Escape");
        await terminal.WaitForScreenAsync(s => s.Contains("┤Cells├", StringComparison.Ordinal), "the monitor view again");
        await terminal.SendKeysAsync("q");
        Assert.Equal("0", (await Files.WaitForContentAsync(status, TimeSpan.FromSeconds(15))).Trim());
    }

    [Fact]
    public async Task The_dashboard_ends_and_frees_the_port_when_its_terminal_goes_away()
    {
        await using var link = await SimulatedLink.StartAsync();
        await using var terminal = await Tmux.StartAsync(
            $"cd '{link.Directory}' && exec env -u DisableRealDriverIO {SeplosProgram.Managed.ShellCommand} --port '{link.Path}'", 100, 32);
        await terminal.WaitForScreenAsync(s => s.Contains("ONLINE", StringComparison.Ordinal), "ONLINE");
        using var process = System.Diagnostics.Process.GetProcessById(await terminal.PanePidAsync());

        await terminal.KillServerAsync();

        await AssertEndsWithinAsync(process, TimeSpan.FromSeconds(10), "after its terminal went away");

        // The port is free again: another command opens it and reads the pack.
        var show = await link.RunAsync("show", "soc");
        Assert.True(show.ExitCode == 0, $"show soc after the dashboard ended: exit code {show.ExitCode}: {show.Error}");
        Assert.StartsWith("soc ", show.Lines.Single());
    }

    [Fact]
    public async Task The_dashboard_ends_when_its_terminal_goes_away_even_with_sighup_ignored()
    {
        // As under nohup: no SIGHUP arrives, only the terminal hangs up (Hosting/TerminalHangup).
        // Before, Terminal.Gui's input thread spun on the dead terminal at half a core, for ever.
        await using var terminal = await Tmux.StartAsync(
            $"trap '' HUP; exec env -u DisableRealDriverIO {SeplosProgram.Managed.ShellCommand} --simulate", 100, 32);
        await terminal.WaitForScreenAsync(s => s.Contains("ONLINE", StringComparison.Ordinal), "ONLINE");
        using var process = System.Diagnostics.Process.GetProcessById(await terminal.PanePidAsync());

        await terminal.KillServerAsync();

        await AssertEndsWithinAsync(process, TimeSpan.FromSeconds(10), "after its terminal hung up");
    }

    private static async Task AssertEndsWithinAsync(System.Diagnostics.Process process, TimeSpan limit, string when)
    {
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            process.Kill();
            Assert.Fail($"dashboard still running {limit.TotalSeconds} s {when}");
        }
    }

    [Fact]
    public async Task Without_a_terminal_the_dashboard_says_so_and_exits_1()
    {
        var result = await CliRunner.RunAsync(["--simulate"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("needs a terminal", result.Error);
    }
}
