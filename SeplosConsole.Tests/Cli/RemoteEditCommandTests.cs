using SeplosConsole.Cli;
using SeplosConsole.Mqtt;
using SeplosConsole.Services.Writes;
using SeplosConsole.Tests.Mqtt;
using SeplosConsole.Tests.Support;
using Xunit.Abstractions;

namespace SeplosConsole.Tests.Cli;

/// <summary>
/// Issue 15, <c>seplos --mqtt edit KEY VALUE</c>: the real command line edits a parameter through
/// a real mosquitto and a real bridge (with its write queue and journal) on the in-process
/// simulator, with the serial edit's contract: old → new, <c>Type yes</c>, exit 0 only when confirmed.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class RemoteEditCommandTests(ITestOutputHelper output)
{
    private const string Key = RemoteEditRig.Key;

    [Fact]
    public async Task A_confirmed_edit_from_the_command_line_is_written_by_the_bridge_and_journaled_on_both_sides_with_one_request_id()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        var viewer = Viewer(rig);
        Assert.Equal(5.0, rig.Pack.Value(Key));

        var result = await CliRunner.RunAsync(["--mqtt", "edit", Key, "6"], input: "yes\n", interactive: true, directory: viewer.Folder);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(6.0, rig.Pack.Value(Key));
        Assert.Contains($"{Key}: 5.0 % → 6.0 % (register 0x1355 raw 50 → raw 60) via bridge seplos", result.Output);
        Assert.Contains("Type yes to send this to bridge seplos for its pack 0: ", result.Output);
        Assert.EndsWith($"confirmed: {Key}: 5.0 % → 6.0 % (register 0x1355 raw 50 → raw 60): bridge seplos: read back equal", result.Lines[^1]);
        var viewerLines = viewer.Journal.Read();
        var bridgeLines = rig.BridgeJournal.Read();
        Assert.Equal(["sending", "confirmed"], viewerLines.Select(e => e.Result));
        Assert.Equal(["sending", "confirmed"], bridgeLines.Select(e => e.Result));
        // Typed on a command line, as a serial edit is; the bridge's side is its MQTT command.
        Assert.All(viewerLines, e => Assert.Equal("cli", e.Source));
        Assert.All(bridgeLines, e => Assert.Equal(WriteQueueHandler.Source, e.Source));
        var id = viewerLines[0].RequestId;
        Assert.False(string.IsNullOrEmpty(id));
        Assert.All(viewerLines.Concat(bridgeLines), e => Assert.Equal(id, e.RequestId));
    }

    [Fact]
    public async Task An_edit_to_a_bridge_with_allow_writes_off_is_one_line_exit_1_and_nothing_is_sent()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: false);
        await using var commands = await CommandSpy.StartAsync(rig.Broker);
        var viewer = Viewer(rig);

        var result = await CliRunner.RunAsync(["--mqtt", "edit", Key, "6", "--yes"], directory: viewer.Folder);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("refused: bridge seplos does not accept writes (allow_writes is off there)", line);
        await commands.PublishMarkerAsync();
        Assert.DoesNotContain(commands.Received, m => m.Topic == $"seplos/battery_0/{Key}/set");
        Assert.Equal("refused", Assert.Single(viewer.Journal.Read()).Result);
        Assert.False(File.Exists(rig.BridgeJournal.Path));
        Assert.Equal(5.0, rig.Pack.Value(Key));
    }

    [Theory]
    [InlineData("soc_low_alarm", "5", "refused: no change: ")]
    [InlineData("soc_low_alarm", "20", "refused: rule 'SOC: low alarm < low recov")]
    [InlineData("no_such_key", "6", "refused: ")]
    [InlineData("cell_high_voltage_alarm", "3.5", "refused: cell_high_voltage_alarm is not in the write_allow_list of bridge seplos (it accepts: soc_low_alarm)")]
    public async Task A_value_or_key_the_dashboard_would_refuse_is_one_line_and_exit_1(string key, string value, string start)
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        var viewer = Viewer(rig);

        var result = await CliRunner.RunAsync(["--mqtt", "edit", key, value, "--yes"], directory: viewer.Folder);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(start, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.Equal(5.0, rig.Pack.Value(RemoteEditRig.Key));
    }

    [Fact]
    public async Task The_end_of_input_at_the_prompt_sends_nothing_journals_cancelled_and_exits_1()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        await using var commands = await CommandSpy.StartAsync(rig.Broker);
        var viewer = Viewer(rig);

        var result = await CliRunner.RunAsync(["--mqtt", "edit", Key, "6"], input: "", interactive: true, directory: viewer.Folder);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Type yes to send this", result.Output);
        Assert.Contains("cancelled: ", result.Error);
        await AssertNothingSentAsync(rig, commands, viewer, "was not confirmed; nothing sent");
    }

    [Fact]
    public async Task Ctrl_C_at_the_prompt_sends_nothing_journals_cancelled_and_exits_1_and_a_late_yes_sends_nothing()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        await using var commands = await CommandSpy.StartAsync(rig.Broker);
        var viewer = Viewer(rig);
        using var prompt = new HeldPrompt();
        using var ctrlC = new CancellationTokenSource();

        var run = Run(["--mqtt", "edit", Key, "6"], viewer.Folder, prompt, ctrlC.Token);
        await prompt.Reading.WaitAsync(TimeSpan.FromSeconds(20));
        // What the program's Ctrl+C (and SIGTERM, SIGHUP) handler does: cancel the command's token.
        await ctrlC.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(20));
        prompt.Answer("yes");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cancelled: ", result.Error);
        await AssertNothingSentAsync(rig, commands, viewer, "was stopped at the confirmation; nothing sent");
    }

    [Fact]
    public async Task A_bridge_that_stops_after_the_confirmation_gives_no_answer_exit_1_and_says_check_the_register_on_its_machine()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        var viewer = Viewer(rig);
        using var prompt = new HeldPrompt();

        var run = Run(["--mqtt", "edit", Key, "6"], viewer.Folder, prompt, CancellationToken.None);
        await prompt.Reading.WaitAsync(TimeSpan.FromSeconds(20));
        await rig.Bridge.StopAsync();
        prompt.Answer("yes");
        // The answer deadline is 15 s.
        var result = await run.WaitAsync(TimeSpan.FromSeconds(40));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no answer — check the register", result.Error);
        Assert.Contains($"`seplos show {Key}` on the machine of bridge seplos (pack 0)", result.Error);
        Assert.Equal(["sending", "not_confirmed"], viewer.Journal.Read().Select(e => e.Result));
        Assert.Equal(5.0, rig.Pack.Value(Key));
    }

    [Fact]
    public async Task Force_is_a_usage_error_from_a_broker_because_the_bridge_keeps_the_20_percent_rule()
    {
        var result = await CliRunner.RunAsync(["--port", "mqtt://127.0.0.1:1/seplos", "edit", Key, "20", "--force", "--yes"]);

        Assert.Equal(SeplosCli.Usage, result.ExitCode);
        // The usage error's line, then the project's usual pointer to --help.
        Assert.StartsWith("error: --force is not sent to a bridge", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    private static async Task AssertNothingSentAsync(RemoteEditRig rig, CommandSpy commands, ViewerSetup viewer, string reasonEnd)
    {
        await commands.PublishMarkerAsync();
        Assert.DoesNotContain(commands.Received, m => m.Topic == $"seplos/battery_0/{Key}/set");
        var entry = Assert.Single(viewer.Journal.Read());
        Assert.Equal("cancelled", entry.Result);
        Assert.EndsWith(reasonEnd, entry.Reason, StringComparison.Ordinal);
        Assert.False(File.Exists(rig.BridgeJournal.Path));
        Assert.Equal(5.0, rig.Pack.Value(Key));
    }

    private sealed record ViewerSetup(string Folder, WriteJournal Journal);

    /// <summary>A folder whose seplos.ini points `--mqtt` at the rig's broker (every bridge) and the journal into the folder.</summary>
    private static ViewerSetup Viewer(RemoteEditRig rig)
    {
        var folder = TempDirectory.Create();
        var journal = Path.Combine(folder, "journal.jsonl");
        File.WriteAllText(Path.Combine(folder, "seplos.ini"), $"[seplos]\njournal = {journal}\n[mqtt]\nserver = {rig.Broker.Host}\nport = {rig.Broker.Port}\n");
        return new ViewerSetup(folder, new WriteJournal(journal));
    }

    /// <summary>The command line in process on a terminal whose input is <paramref name="prompt"/>, stopped by <paramref name="stop"/>.</summary>
    private static async Task<CliRunner.Result> Run(string[] args, string folder, TextReader prompt, CancellationToken stop)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Task.Run(() => SeplosCli.RunAsync(args, new CliContext(output, error, prompt, true, folder), stop), CancellationToken.None);
        return new CliRunner.Result(code, output.ToString(), error.ToString());
    }

    /// <summary>Input that holds the prompt's read until the test answers: the moment the program waits for `yes`.</summary>
    private sealed class HeldPrompt : TextReader
    {
        private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<string?> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reading => _reading.Task;

        public void Answer(string? line) => _answer.TrySetResult(line);

        public override string? ReadLine()
        {
            _reading.TrySetResult();
            return _answer.Task.GetAwaiter().GetResult();
        }

        protected override void Dispose(bool disposing)
        {
            // A read still held (a failed test) ends at the end of input.
            _answer.TrySetResult(null);
            base.Dispose(disposing);
        }
    }
}
