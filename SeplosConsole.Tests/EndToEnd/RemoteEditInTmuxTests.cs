using SeplosConsole.Services.Writes;
using SeplosConsole.Tests.Mqtt;
using SeplosConsole.Tests.Support;
using Xunit.Abstractions;

namespace SeplosConsole.Tests.EndToEnd;

/// <summary>
/// Issue 15 in a real terminal: `seplos --mqtt` in tmux edits a parameter through a real
/// `seplos mqtt` bridge on the simulator that allows it, and shows the bridge's answer.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class RemoteEditInTmuxTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_remote_dashboard_edit_typed_yes_is_confirmed_by_the_bridge_and_both_journals_have_it()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var bridge = Directory.CreateTempSubdirectory("seplos-bridge-").FullName;
        await File.WriteAllTextAsync(Path.Combine(bridge, "seplos.ini"),
            $"[seplos]\ninterval_ms = 500\njournal = {Path.Combine(bridge, "journal.jsonl")}\n" +
            $"[mqtt]\nserver = {broker.Host}\nport = {broker.Port}\nprefix = garage\nallow_writes = true\nwrite_allow_list = soc_low_alarm\n");
        using var stopBridge = new CancellationTokenSource();
        var bridgeRun = CliRunner.RunUntilCancelledAsync(["--simulate", "mqtt"], bridge, stopBridge.Token);
        try
        {
            var viewer = Directory.CreateTempSubdirectory("seplos-viewer-").FullName;
            await File.WriteAllTextAsync(Path.Combine(viewer, "seplos.ini"),
                $"[seplos]\njournal = {Path.Combine(viewer, "journal.jsonl")}\n[mqtt]\nserver = {broker.Host}\nport = {broker.Port}\n");
            await using var terminal = await Tmux.StartAsync(
                $"cd '{viewer}' && env -u DisableRealDriverIO {SeplosProgram.Managed.ShellCommand} --mqtt 2>'{Path.Combine(viewer, "stderr.txt")}'", 140, 32);
            await terminal.WaitForScreenAsync(s => s.Contains("ONLINE", StringComparison.Ordinal) && s.Contains("is pack 0 of bridge garage", StringComparison.Ordinal), "the bridge's pack, live");

            await terminal.SendKeysAsync("e");
            await terminal.WaitForScreenAsync(s => s.Contains("Edit:", StringComparison.Ordinal), "the edit field");
            await terminal.TypeAsync("soc_low_alarm 6");
            await terminal.SendKeysAsync("Enter");
            var dialog = await terminal.WaitForScreenAsync(s => s.Contains("Type yes and Enter to write", StringComparison.Ordinal), "the confirmation dialog");
            Assert.Contains("5.0 % → 6.0 % (register 0x1355 raw 50 → raw 60) via bridge garage", dialog, StringComparison.Ordinal);
            await terminal.TypeAsync("yes");
            await terminal.SendKeysAsync("Enter");
            // 140 columns: the outcome line fits on one line of the log.
            await terminal.WaitForScreenAsync(s => s.Contains("confirmed: soc_low_alarm: 5.0 % → 6.0 % (register 0x1355 raw 50 → raw 60): bridge garage: read back equal", StringComparison.Ordinal), "the bridge's answer");
            await terminal.SendKeysAsync("q");

            var viewerLines = new WriteJournal(Path.Combine(viewer, "journal.jsonl")).Read();
            var bridgeLines = new WriteJournal(Path.Combine(bridge, "journal.jsonl")).Read();
            Assert.Equal(["sending", "confirmed"], viewerLines.Select(e => e.Result));
            Assert.Equal(["sending", "confirmed"], bridgeLines.Select(e => e.Result));
            Assert.Equal(viewerLines[0].RequestId, bridgeLines[0].RequestId);
            // The bridge read the register back equal to the new value: the pack holds it.
            Assert.Equal((60L, "read back equal"), (bridgeLines[1].NewRaw!.Value, bridgeLines[1].Reason));
        }
        finally
        {
            await stopBridge.CancelAsync();
            await bridgeRun.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    [Fact]
    public async Task Ctrl_C_at_the_prompt_of_a_command_line_remote_edit_sends_nothing_journals_cancelled_and_exits_1()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        await using var commands = await CommandSpy.StartAsync(rig.Broker);
        var viewer = Directory.CreateTempSubdirectory("seplos-viewer-").FullName;
        var journal = new WriteJournal(Path.Combine(viewer, "journal.jsonl"));
        await File.WriteAllTextAsync(Path.Combine(viewer, "seplos.ini"),
            $"[seplos]\njournal = {journal.Path}\n[mqtt]\nserver = {rig.Broker.Host}\nport = {rig.Broker.Port}\n");
        var status = Path.Combine(viewer, "exit-status.txt");
        var stderr = Path.Combine(viewer, "stderr.txt");
        // 80x24, a user's default terminal.
        await using var terminal = await Tmux.StartAsync(
            $"cd '{viewer}' && env -u DisableRealDriverIO {SeplosProgram.Managed.ShellCommand} --mqtt edit soc_low_alarm 6 2>'{stderr}'; echo $? > '{status}'", 80, 24);
        var prompt = await terminal.WaitForScreenAsync(s => s.Contains("Type yes to send this to bridge seplos", StringComparison.Ordinal), "the confirmation prompt");
        Assert.Contains("5.0 % → 6.0 % (register 0x1355 raw 50 → raw 60) via bridge seplos", prompt, StringComparison.Ordinal);

        await terminal.SendKeysAsync("C-c");
        var exitCode = (await Files.WaitForContentAsync(status, TimeSpan.FromSeconds(20))).Trim();
        // What a late "yes" would have done, had the prompt still been waiting.
        await terminal.TypeAsync("yes");
        await terminal.SendKeysAsync("Enter");

        Assert.True(exitCode == "1", $"exit code {exitCode}: {await File.ReadAllTextAsync(stderr)}");
        Assert.StartsWith("cancelled: ", await File.ReadAllTextAsync(stderr), StringComparison.Ordinal);
        var entry = Assert.Single(journal.Read());
        Assert.Equal(("cancelled", "cli"), (entry.Result, entry.Source));
        Assert.Contains("was stopped at the confirmation; nothing sent", entry.Reason, StringComparison.Ordinal);
        await commands.PublishMarkerAsync();
        Assert.DoesNotContain(commands.Received, m => m.Topic == "seplos/battery_0/soc_low_alarm/set");
        Assert.False(File.Exists(rig.BridgeJournal.Path));
        Assert.Equal(5.0, rig.Pack.Value(RemoteEditRig.Key));
    }
}
