using SeplosConsole.Services.Writes;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.EndToEnd;

/// <summary>
/// Issue 10, cancel means cancel: the real program at the "Type yes" prompt in a real terminal,
/// stopped by Ctrl+C, SIGTERM, SIGHUP or the end of input. Nothing is written, the journal says
/// "cancelled", and the exit code is not 0.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class ConfirmationInTmuxTests
{
    private sealed record Prompted(Tmux Terminal, string StatusFile, string StderrFile) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Terminal.DisposeAsync();

        public async Task<int> ExitCodeAsync()
            => int.Parse((await Files.WaitForContentAsync(StatusFile, TimeSpan.FromSeconds(20))).Trim(), System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>The program itself: the child of the shell in the pane.</summary>
        public async Task<int> ProgramPidAsync()
        {
            var shell = await Terminal.PanePidAsync();
            var children = (await File.ReadAllTextAsync($"/proc/{shell}/task/{shell}/children")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(Assert.Single(children), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Starts <c>seplos --port LINK ARGS</c> in tmux and waits for its prompt.</summary>
    private static async Task<Prompted> StartAtPromptAsync(SimulatedLink link, params string[] args)
    {
        var stderr = Path.Combine(link.Directory, "stderr.txt");
        var status = Path.Combine(link.Directory, "exit-status.txt");
        var arguments = string.Join(' ', args.Select(a => $"'{a}'"));
        var terminal = await Tmux.StartAsync(
            $"cd '{link.Directory}' && env -u DisableRealDriverIO {SeplosProgram.Managed.ShellCommand} --port '{link.Path}' {arguments} 2>'{stderr}'; echo $? > '{status}'", 100, 30);
        await terminal.WaitForScreenAsync(s => s.Contains("Type yes to write", StringComparison.Ordinal), "the confirmation prompt");
        return new Prompted(terminal, status, stderr);
    }

    private static async Task<string> ShowAsync(SimulatedLink link, string key)
    {
        var show = await link.RunAsync("show", key);
        Assert.True(show.ExitCode == 0, show.Error);
        return show.Lines.Single();
    }

    [Fact]
    public async Task Ctrl_C_at_the_edit_prompt_writes_nothing_journals_cancelled_and_exits_1()
    {
        // The pack is `seplos simulate --link` itself, so the register is seen only through the port.
        await using var link = await SimulatedLink.StartAsync(SeplosProgram.Managed);
        var before = await ShowAsync(link, "soc_low_alarm");
        await using var prompted = await StartAtPromptAsync(link, "edit", "soc_low_alarm", "6");

        await prompted.Terminal.SendKeysAsync("C-c");
        var exitCode = await prompted.ExitCodeAsync();
        // What a late "yes" would have done, had the prompt still been waiting.
        await prompted.Terminal.TypeAsync("yes");
        await prompted.Terminal.SendKeysAsync("Enter");

        Assert.True(exitCode == 1, $"exit code {exitCode}: {await File.ReadAllTextAsync(prompted.StderrFile)}");
        Assert.Equal("soc_low_alarm 5.0 %", before);
        Assert.Equal(before, await ShowAsync(link, "soc_low_alarm"));
        var entry = Assert.Single(new WriteJournal(link.JournalPath).Read());
        Assert.Equal("cancelled", entry.Result);
        Assert.Contains("stopped at the confirmation", entry.Reason, StringComparison.Ordinal);
        Assert.Contains("cancelled:", await File.ReadAllTextAsync(prompted.StderrFile), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SIGTERM")]
    [InlineData("SIGHUP")]
    [InlineData("C-d")]
    public async Task A_stop_signal_or_the_end_of_input_at_the_edit_prompt_writes_nothing_and_journals_cancelled(string stop)
    {
        await using var link = await SimulatedLink.StartAsync();
        await using var prompted = await StartAtPromptAsync(link, "edit", "soc_low_alarm", "6");

        if (stop.StartsWith("SIG", StringComparison.Ordinal))
        {
            var pid = await prompted.ProgramPidAsync();
            using var kill = System.Diagnostics.Process.Start("kill", ["-s", stop["SIG".Length..], pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }
        else
        {
            await prompted.Terminal.SendKeysAsync(stop);
        }
        var exitCode = await prompted.ExitCodeAsync();

        Assert.Equal(1, exitCode);
        Assert.Equal(5.0, link.Simulator.Pack(0).Value("soc_low_alarm"));
        Assert.Equal("cancelled", Assert.Single(new WriteJournal(link.JournalPath).Read()).Result);
    }

    [Fact]
    public async Task Ctrl_C_at_the_restore_prompt_writes_nothing_and_journals_each_planned_write_as_cancelled()
    {
        await using var link = await SimulatedLink.StartAsync();
        var file = Path.Combine(link.Directory, "pack0.json");
        Assert.Equal(0, (await link.RunAsync("backup", file)).ExitCode);
        Assert.Equal(0, (await link.RunAsync("edit", "soc_low_alarm", "6", "--yes")).ExitCode);
        Assert.Equal(0, (await link.RunAsync("edit", "battery_low_voltage_alarm", "45", "--yes")).ExitCode);
        var journaledBefore = new WriteJournal(link.JournalPath).Read().Count;
        await using var prompted = await StartAtPromptAsync(link, "restore", file);

        await prompted.Terminal.SendKeysAsync("C-c");
        var exitCode = await prompted.ExitCodeAsync();

        Assert.Equal(1, exitCode);
        Assert.Equal(6.0, link.Simulator.Pack(0).Value("soc_low_alarm"));
        var cancelled = new WriteJournal(link.JournalPath).Read().Skip(journaledBefore).ToList();
        Assert.Equal(["cancelled", "cancelled"], cancelled.Select(e => e.Result));
        Assert.All(cancelled, e => Assert.Equal("restore", e.Source));
        Assert.Contains("the restore was stopped at the confirmation; nothing written", await File.ReadAllTextAsync(prompted.StderrFile), StringComparison.Ordinal);
    }
}
