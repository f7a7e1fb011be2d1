using System.Text.RegularExpressions;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.EndToEnd;

/// <summary>
/// Issue 13's "done when", in a real terminal: the dashboard records the simulator, the recording
/// replays in the dashboard with the same values and its trends, and `report` summarises it.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed partial class RecordingInTmuxTests
{
    [GeneratedRegex(@"Voltage\s+(\d\d\.\d\d) V")]
    private static partial Regex PackVoltage();

    [Fact]
    public async Task A_recorded_dashboard_session_replays_with_the_same_values_and_trends_and_reports()
    {
        var directory = TempDirectory.Create();
        var recording = Path.Combine(directory, "r.rec");
        var status = Path.Combine(directory, "exit-status.txt");
        var program = $"env -u DisableRealDriverIO {SeplosProgram.Managed.ShellCommand}";

        await using (var live = await Tmux.StartAsync($"cd '{directory}' && {program} --simulate --record r.rec 2>stderr.txt; echo $? > '{status}'", 100, 32))
        {
            await live.WaitForScreenAsync(s => s.Contains("| REC |", StringComparison.Ordinal) && s.Contains("ONLINE", StringComparison.Ordinal), "ONLINE and REC on the status line");
            // A few polls (one a second by default).
            await Files.WaitForContentAsync(recording, TimeSpan.FromSeconds(10));
            await live.WaitForScreenAsync(_ => File.ReadAllLines(recording).Length >= 6, "5 recorded updates", TimeSpan.FromSeconds(20));
            await live.SendKeysAsync("q");
            Assert.Equal("0", (await Files.WaitForContentAsync(status, TimeSpan.FromSeconds(15))).Trim());
        }
        var last = await CliRunner.RunAsync(["--replay", recording, "show", "pack_voltage"]);
        Assert.Equal(0, last.ExitCode);

        File.Delete(status);
        await using (var replay = await Tmux.StartAsync($"cd '{directory}' && {program} --replay r.rec --speed 20 2>stderr.txt; echo $? > '{status}'", 100, 32))
        {
            var ended = await replay.WaitForScreenAsync(s => s.Contains("end of the recording", StringComparison.Ordinal), "the end of the replay");
            Assert.Contains("replay r.rec ×20", ended);
            Assert.Equal(last.Lines.Single(), $"pack_voltage {PackVoltage().Match(ended).Groups[1].Value} V");

            await replay.SendKeysAsync("g");
            var trends = await replay.WaitForScreenAsync(s => s.Contains("Trends of pack 0, last 10 min", StringComparison.Ordinal), "the trends view");
            Assert.Contains(PackVoltage().Match(ended).Groups[1].Value, trends);
            Assert.Matches(@"Current -?\d+\.\d\d A min", trends);
            Assert.Contains(trends, c => c is > '\u2800' and <= '\u28FF');
            await replay.SendKeysAsync("w");
            await replay.WaitForScreenAsync(s => s.Contains("last 1 h", StringComparison.Ordinal), "the 1 h window");
            await replay.SendKeysAsync("Escape");
            await replay.WaitForScreenAsync(s => s.Contains("┤Cells├", StringComparison.Ordinal), "the monitor again");
            // A replay cannot write: the parameter view says why.
            await replay.SendKeysAsync("q");
            Assert.Equal("0", (await Files.WaitForContentAsync(status, TimeSpan.FromSeconds(15))).Trim());
        }

        var report = await CliRunner.RunAsync(["report", recording]);
        Assert.Equal(0, report.ExitCode);
        Assert.Contains("pack 0: ", report.Output);
        Assert.Contains("charged", report.Output);
    }
}
