using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Services.Recording;
using SeplosConsole.Simulation;
using SeplosConsole.Tests.Bus;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Recording;

/// <summary>Recording a live feed and playing it back: the same snapshots, read-only, the CLI options.</summary>
public sealed class RecordReplayTests
{
    private static string Fingerprint(PackSnapshot snapshot)
        => string.Join(";", snapshot.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value.Raw}/{f.Value.Value}/{f.Value.Text}"))
            + "|" + string.Join(";", snapshot.Flags.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"))
            + "|" + RecordingSamples.Describe(snapshot.Address, snapshot.Blocks.Values.OrderBy(b => b.Block));

    private static PackSnapshot ToMilliseconds(PackSnapshot snapshot)
        => PackSnapshot.Empty(snapshot.Address).With(snapshot.Blocks.Values.Select(b => b with { ReadAt = DateTimeOffset.FromUnixTimeMilliseconds(b.ReadAt.ToUnixTimeMilliseconds()) }));

    /// <summary>Polls two simulated packs with a recorder on the feed; returns the recording and every snapshot published.</summary>
    private static async Task<(string Path, List<(byte Address, string Fingerprint)> Published)> RecordAsync(int polls)
    {
        var path = Path.Combine(TempDirectory.Create(), "live.rec");
        var transport = InProcessSimulatorTransport.Create(new SimulatorOptions { Addresses = [0, 1], Turnaround = TimeSpan.FromMilliseconds(1) });
        var rtu = new RtuClient(transport, new RtuClientOptions { Timeout = TimeSpan.FromMilliseconds(300), Retries = 1 });
        var poller = new BusPoller(new SeplosClient(rtu), new PollerOptions { Addresses = [0, 1], Interval = TimeSpan.FromMilliseconds(20) });
        var published = new List<(byte, string)>();
        await using (var recorder = new FeedRecorder(poller, RecordingWriter.Append(path), (_, message) => throw new InvalidOperationException(message)))
        {
            poller.PackUpdated += (_, status) =>
            {
                lock (published)
                {
                    published.Add((status.Address, Fingerprint(ToMilliseconds(status.Snapshot))));
                }
            };
            using var stop = new CancellationTokenSource();
            var polling = poller.RunAsync(stop.Token);
            await FeedWaits.UntilAsync(poller, _ => recorder.Updates >= polls, $"{polls} recorded updates");
            await stop.CancelAsync();
            await polling.WaitAsync(FeedWaits.Timeout);
        }
        await rtu.DisposeAsync();
        return (path, published);
    }

    [Fact]
    public async Task A_recording_replays_as_the_very_snapshots_the_live_feed_published()
    {
        var (path, published) = await RecordAsync(40);

        var replay = new ReplayFeed(path, speed: 1_000_000);
        var replayed = new List<(byte, string)>();
        replay.PackUpdated += (_, status) => replayed.Add((status.Address, Fingerprint(status.Snapshot)));
        await replay.RunAsync(CancellationToken.None).WaitAsync(FeedWaits.Timeout);

        // The feed may have published once more after the recorder stopped listening.
        Assert.True(published.Count - replayed.Count is 0 or 1, $"{published.Count} published, {replayed.Count} replayed");
        Assert.Equal(published.Take(replayed.Count), replayed);
        Assert.Equal([0, 1], replay.AllStatus.Select(s => (int)s.Address));
        Assert.All(replay.AllStatus, s => Assert.Equal(PackLinkState.Online, s.State));
    }

    [Fact]
    public async Task A_replay_keeps_the_recorded_pace_divided_by_the_speed()
    {
        var bytes = RecordingSamples.Write(RecordingSamples.Polls(11, TimeSpan.FromSeconds(1)));
        var path = Path.Combine(TempDirectory.Create(), "paced.rec");
        await File.WriteAllBytesAsync(path, bytes);

        // 10 s of recording at 20× speed: half a second, not less.
        var replay = new ReplayFeed(path, speed: 20);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await replay.RunAsync(CancellationToken.None).WaitAsync(FeedWaits.Timeout);

        Assert.Equal(11, replay.Updates);
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(490), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task Show_and_all_on_a_replay_print_the_packs_as_the_recording_left_them()
    {
        var polls = RecordingSamples.Polls(30, TimeSpan.FromSeconds(1)).ToList();
        var path = Path.Combine(TempDirectory.Create(), "show.rec");
        await File.WriteAllBytesAsync(path, RecordingSamples.Write(polls));
        var last = PackSnapshot.Empty(0).With(polls.SelectMany(p => p.Blocks));

        var show = await CliRunner.RunAsync(["--replay", path, "show", "pack_voltage", "cell_3"]);
        var all = await CliRunner.RunAsync(["--replay", path, "all", "--json"]);

        Assert.Equal(0, show.ExitCode);
        Assert.Contains($"pack_voltage {last.Fields["pack_voltage"].Display} V", show.Output);
        Assert.Contains($"cell_3 {last.Fields["cell_3"].Display} V", show.Output);
        Assert.Equal(0, all.ExitCode);
        Assert.Contains($"\"{last.Text("bms_serial")}\"", all.Output);
    }

    [Fact]
    public async Task An_edit_on_a_replay_is_refused_with_the_reason_and_nothing_is_written()
    {
        var directory = TempDirectory.Create();
        var path = Path.Combine(directory, "edit.rec");
        await File.WriteAllBytesAsync(path, RecordingSamples.Write(RecordingSamples.Polls(3, TimeSpan.FromSeconds(1))));
        // The journal in the test's folder, not the user's state directory.
        await File.WriteAllTextAsync(Path.Combine(directory, "seplos.ini"), $"[seplos]\njournal = {Path.Combine(directory, "journal.jsonl")}\n");
        var before = await File.ReadAllBytesAsync(path);

        var edit = await CliRunner.RunAsync(["--replay", path, "edit", "cell_high_voltage_alarm", "3.46", "--yes"], directory: directory);

        Assert.Equal(1, edit.ExitCode);
        Assert.Contains(ReplayFeed.WritesRefusedReason, edit.Error);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Theory]
    [InlineData("edit cell_high_voltage_alarm 3.46", "edit: ")]
    [InlineData("restore BACKUP", "restore: ")]
    [InlineData("clock --set", "clock --set: ")]
    public async Task A_write_on_a_replay_is_refused_before_anything_is_read_or_asked(string arguments, string prefix)
    {
        var directory = TempDirectory.Create();
        var path = Path.Combine(directory, "w.rec");
        await File.WriteAllBytesAsync(path, RecordingSamples.Write(RecordingSamples.Polls(2, TimeSpan.FromSeconds(1))));
        await File.WriteAllTextAsync(Path.Combine(directory, "seplos.ini"), $"[seplos]\njournal = {Path.Combine(directory, "journal.jsonl")}\n");

        // No --yes and a terminal-less stdin: were the question asked, the command would fail on it instead.
        var result = await CliRunner.RunAsync(["--replay", path, .. arguments.Replace("BACKUP", Path.Combine(directory, "none.json"), StringComparison.Ordinal).Split(' ')], directory: directory);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {prefix}{ReplayFeed.WritesRefusedReason}", result.Error.Trim());
        Assert.Equal("", result.Output);
        Assert.False(File.Exists(Path.Combine(directory, "journal.jsonl")), "nothing to journal: nothing was attempted");
    }

    [Theory]
    [InlineData("--speed 5 show soc", 2, "--speed only applies to --replay FILE")]
    [InlineData("--replay /nonexistent/r.rec show soc", 1, "/nonexistent/r.rec does not exist")]
    [InlineData("--replay REC --speed 0 show soc", 2, "--speed 0: expected a number above 0")]
    [InlineData("--replay REC --record other.rec mqtt", 2, "--record and --replay together")]
    [InlineData("--simulate --record REC show soc", 2, "--record: only the dashboard, `seplos watch` and `seplos mqtt` record")]
    [InlineData("--simulate --record /nonexistent/dir/r.rec", 1, "--record: the folder /nonexistent/dir does not exist")]
    public async Task Bad_recording_options_get_one_line_and_the_right_exit_code(string arguments, int exitCode, string message)
    {
        var path = Path.Combine(TempDirectory.Create(), "r.rec");
        await File.WriteAllBytesAsync(path, RecordingSamples.Write(RecordingSamples.Polls(2, TimeSpan.FromSeconds(1))));

        var result = await CliRunner.RunAsync(arguments.Replace("REC", path, StringComparison.Ordinal).Split(' '));

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(message, result.Error);
        // One line saying what is wrong (a usage error adds the pointer to --help).
        Assert.Single(result.Error.Trim().Split('\n'), line => line.StartsWith("error:", StringComparison.Ordinal));
    }
}
