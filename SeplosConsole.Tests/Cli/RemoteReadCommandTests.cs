using System.Diagnostics;
using System.Text.Json;
using SeplosConsole.Tests.Mqtt;
using SeplosConsole.Tests.Support;
using Xunit.Abstractions;

namespace SeplosConsole.Tests.Cli;

/// <summary>
/// show, all and watch with no serial port: real `seplos mqtt` bridges on the in-process simulator
/// publish into a real mosquitto, and the read commands take the packs from there (issue 15).
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class RemoteReadCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Show_all_and_watch_print_a_bridges_packs_as_on_a_serial_port_with_bridge_and_age_and_a_stopped_bridge_leaves_them_stale()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var viewer = ViewerFolder(broker);
        using var stopGarage = new CancellationTokenSource();
        var garage = CliRunner.RunUntilCancelledAsync(["--simulate", "--address", "0-1", "mqtt"], BridgeFolder(broker, "garage"), stopGarage.Token);
        try
        {
            // Waits (with its own deadline) for the bridge's first snapshot.
            var show = await CliRunner.RunAsync(["--mqtt", "--address", "0-1", "show", "soc", "pack_voltage"], directory: viewer);
            Assert.True(show.ExitCode == 0, show.Error);
            Assert.Equal(4, show.Lines.Length);
            Assert.Matches(@"^battery_0/soc \d+\.\d %$", show.Lines[0]);
            Assert.Matches(@"^battery_1/pack_voltage \d+\.\d\d V$", show.Lines[3]);
            // Which bridge and how old on stderr: stdout stays the `key value unit` lines scripts parse.
            Assert.Matches(@"^pack 0: bridge garage \(its pack 0\), read \d+\.\d s ago\r?\npack 1: bridge garage \(its pack 1\), read \d+\.\d s ago\r?\n$", show.Error);

            // Same sections and keys, in the same order, as `all` on a serial port; one line more saying where from.
            var remote = await CliRunner.RunAsync(["--mqtt", "all"], directory: viewer);
            var local = await CliRunner.RunAsync(["--simulate", "all"]);
            Assert.True(remote.ExitCode == 0, remote.Error);
            Assert.Matches(@"^# From bridge garage \(its pack 0\), read \d+\.\d s ago$", remote.Lines[0]);
            // The bridge also reads the pack's clock (SCA), which `all` on a port leaves to `seplos clock`.
            Assert.Contains("system_date", Keys(remote.Lines));
            Assert.Equal(Keys(local.Lines), Keys(remote.Lines.Skip(1)).Where(k => k != "system_date"));

            var json = await CliRunner.RunAsync(["--mqtt", "all", "--json"], directory: viewer);
            Assert.True(json.ExitCode == 0, json.Error);
            var pack = JsonDocument.Parse(json.Output).RootElement;
            Assert.Equal("garage", pack.GetProperty("bridge").GetString());
            Assert.Equal(0, pack.GetProperty("bridge_address").GetInt32());
            Assert.False(pack.GetProperty("stale").GetBoolean());
            Assert.InRange(pack.GetProperty("age_seconds").GetDouble(), 0, 5);
            Assert.InRange(pack.GetProperty("readings").GetProperty("soc").GetProperty("value").GetDouble(), 0, 100);
            Assert.Empty(pack.GetProperty("missing").EnumerateArray());

            var watch = await CliRunner.RunAsync(["--mqtt", "watch", "--json", "--count", "4"], directory: viewer);
            Assert.True(watch.ExitCode == 0, watch.Error);
            Assert.Equal(4, watch.Lines.Length);
            foreach (var line in watch.Lines.Select(l => JsonDocument.Parse(l).RootElement))
            {
                Assert.Equal("garage", line.GetProperty("bridge").GetString());
                Assert.Equal("online", line.GetProperty("state").GetString());
                Assert.True(line.GetProperty("age_seconds").GetDouble() >= 0);
                Assert.True(line.GetProperty("values").GetProperty("pack_voltage").GetDouble() > 40);
            }

            // Ctrl+C ends the stream cleanly: exit 0, nothing on stderr.
            using (var ctrlC = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
            {
                var text = await CliRunner.RunUntilCancelledAsync(["--mqtt", "watch"], viewer, ctrlC.Token);
                Assert.Equal(0, text.ExitCode);
                Assert.Equal("", text.Error);
                Assert.NotEmpty(text.Lines);
                Assert.All(text.Lines, l => Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} pack [01] online bridge=garage age=\d+\.\d{3}s pack_voltage=\d+\.\d\dV .* alarms: ", l));
            }

            // Bridge stopped (it publishes offline): the last reading is still shown, marked, exit 3.
            await stopGarage.CancelAsync();
            await garage.WaitAsync(TimeSpan.FromSeconds(20));
            var stale = await CliRunner.RunAsync(["--mqtt", "show", "soc"], directory: viewer);
            Assert.Equal(3, stale.ExitCode);
            Assert.Matches(@"^soc \d+\.\d %$", Assert.Single(stale.Lines));
            Assert.Matches(@"^warning: pack 0: bridge garage \(its pack 0\), read \d+\.\d s ago, STALE: bridge garage is offline\r?\n$", stale.Error);
            var staleJson = JsonDocument.Parse((await CliRunner.RunAsync(["--mqtt", "all", "--json"], directory: viewer)).Output).RootElement;
            Assert.True(staleJson.GetProperty("stale").GetBoolean());
            Assert.Equal("bridge garage is offline", staleJson.GetProperty("stale_reason").GetString());
        }
        finally
        {
            await stopGarage.CancelAsync();
            await garage.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    [Fact]
    public async Task A_pack_no_bridge_publishes_is_one_line_and_exit_3_or_exit_1_when_no_pack_was_found()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var viewer = ViewerFolder(broker);
        using var stopBridge = new CancellationTokenSource();
        var bridge = CliRunner.RunUntilCancelledAsync(["--simulate", "--address", "0", "mqtt"], BridgeFolder(broker, "garage"), stopBridge.Token);
        try
        {
            var first = await CliRunner.RunAsync(["--mqtt", "show", "soc"], directory: viewer);
            Assert.True(first.ExitCode == 0, first.Error);

            // Both wait to the snapshot deadline (5 s, for all packs asked for at once): run side by side.
            var partialRun = CliRunner.RunAsync(["--mqtt", "--address", "0,7", "all"], directory: viewer);
            var noneRun = CliRunner.RunAsync(["--port", $"mqtt://{broker.Host}:{broker.Port}/shed", "show", "soc"], directory: viewer);
            var partial = await partialRun;
            Assert.Equal(3, partial.ExitCode);
            Assert.Contains("## Pack 0", partial.Lines);
            Assert.DoesNotContain("## Pack 7", partial.Lines);
            var line = Assert.Single(partial.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("pack 7", StringComparison.Ordinal));
            Assert.Matches(@"^error: pack 7: no snapshot on mqtt://127\.0\.0\.1:\d+/\+ within 5 s", line);

            var none = await noneRun;
            Assert.Equal(1, none.ExitCode);
            Assert.Empty(none.Output);
            Assert.Matches(@"^error: pack 0: no snapshot on mqtt://127\.0\.0\.1:\d+/shed within 5 s[^\n]*\n$", none.Error);
        }
        finally
        {
            await stopBridge.CancelAsync();
            await bridge.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    [Theory]
    [InlineData("show", "soc")]
    [InlineData("all", "--json")]
    [InlineData("watch", "--json")]
    public async Task A_dead_broker_is_one_line_and_exit_1_within_the_connect_deadline(string command, string argument)
    {
        // A port nothing listens on.
        await using var broker = await MosquittoBroker.StartAsync(start: false);
        var clock = Stopwatch.StartNew();

        var result = await CliRunner.RunAsync(["--port", $"mqtt://{broker.Host}:{broker.Port}", command, argument], timeout: TimeSpan.FromSeconds(30));

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("MQTT: connection refused", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        // The connect time-out is 10 s; a refused connection is known at once.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed}");
    }

    [Theory]
    [InlineData("restore", "no-such-backup.json")]
    [InlineData("restore", "no-such-backup.json", "--dry-run")]
    [InlineData("backup", "parameters.json")]
    [InlineData("history")]
    [InlineData("clock")]
    [InlineData("clock", "--set", "--yes")]
    [InlineData("info")]
    [InlineData("bench")]
    [InlineData("mqtt")]
    public async Task Commands_that_need_the_bus_refuse_a_broker_port_in_one_line_naming_the_bus_owner(params string[] command)
    {
        var directory = TempDirectory.Create();
        await File.WriteAllTextAsync(Path.Combine(directory, "seplos.ini"), "[mqtt]\nserver = 127.0.0.1\nport = 1\n");

        var result = await CliRunner.RunAsync(["--mqtt", .. command], directory: directory);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("is a broker, and this command needs the bus: run it on the machine that owns the bus", line, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Record_on_a_one_shot_read_from_a_broker_is_a_usage_error_not_silently_ignored()
    {
        var directory = TempDirectory.Create();
        await File.WriteAllTextAsync(Path.Combine(directory, "seplos.ini"), "[mqtt]\nserver = 127.0.0.1\nport = 1\n");

        var result = await CliRunner.RunAsync(["--mqtt", "--record", "r.rec", "show", "soc"], directory: directory);

        Assert.Equal(2, result.ExitCode);
        // The usage error and the program's usual hint, as for --record on a serial port.
        Assert.Equal(["error: --record: only the dashboard, `seplos watch` and `seplos mqtt` record (they keep reading); this command reads once", "Try 'seplos --help'."],
            result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.False(File.Exists(Path.Combine(directory, "r.rec")));
    }

    /// <summary>
    /// The scale target in small (CI time): two bridges × 4 packs, one `watch --mqtt --json`
    /// subscriber. Every pack reaches it, each new reading within 1 s of being read, so every pack
    /// is fresh on the viewer within one sweep plus 1 s. The full 4 × 16 run is scripts/measure-mqtt-scale.sh.
    /// </summary>
    [Fact]
    public async Task Every_pack_of_two_bridges_reaches_the_watch_subscriber_within_a_second_of_its_reading()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var viewer = ViewerFolder(broker);
        using var stop = new CancellationTokenSource();
        var bridges = new[] { "garage", "shed" }
            .Select(prefix => CliRunner.RunUntilCancelledAsync(["--simulate", "--address", "0-3", "mqtt"], BridgeFolder(broker, prefix), stop.Token)).ToList();
        try
        {
            var watch = await CliRunner.RunAsync(["--mqtt", "watch", "--json", "--seconds", "8"], directory: viewer);
            Assert.True(watch.ExitCode == 0, watch.Error);
            var lines = watch.Lines.Select(l => JsonDocument.Parse(l).RootElement)
                .Where(l => l.GetProperty("state").GetString() == "online")
                .Select(l => (Pack: (l.GetProperty("bridge").GetString(), l.GetProperty("bridge_address").GetInt32()),
                    Read: DateTimeOffset.Parse(l.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                    Age: l.GetProperty("age_seconds").GetDouble()))
                .ToList();
            var packs = lines.GroupBy(l => l.Pack).ToDictionary(g => g.Key, g => g.ToList());
            Assert.Equal(8, packs.Count);
            var ages = new List<double>();
            var sweeps = new List<double>();
            foreach (var (pack, readings) in packs)
            {
                // The first line of a pack may be its retained snapshot, up to a sweep old by design.
                Assert.True(readings.Count >= 3, $"{pack}: {readings.Count} readings in 8 s");
                ages.AddRange(readings.Skip(1).Select(r => r.Age));
                sweeps.AddRange(readings.Zip(readings.Skip(1), (a, b) => (b.Read - a.Read).TotalSeconds));
            }
            ages.Sort();
            output.WriteLine($"{ages.Count} readings: read → printed median {ages[ages.Count / 2] * 1000:0} ms, max {ages[^1] * 1000:0} ms; sweep max {sweeps.Max():0.00} s");
            Assert.True(ages[^1] <= 1.0, $"a reading printed {ages[^1]:0.000} s after it was read");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(bridges).WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    /// <summary>The keys of <c>all</c>'s lines (section titles whole): what must match, values aside.</summary>
    private static List<string> Keys(IEnumerable<string> lines)
        => [.. lines.Select(l => l.StartsWith('#') ? l.Split(';')[0] : l.Split(' ')[0])];

    private static string ViewerFolder(MosquittoBroker broker)
    {
        var folder = TempDirectory.Create();
        File.WriteAllText(Path.Combine(folder, "seplos.ini"), $"[mqtt]\nserver = {broker.Host}\nport = {broker.Port}\n");
        return folder;
    }

    private static string BridgeFolder(MosquittoBroker broker, string prefix)
    {
        var folder = TempDirectory.Create();
        File.WriteAllText(Path.Combine(folder, "seplos.ini"), $"[seplos]\ninterval_ms = 500\n[mqtt]\nserver = {broker.Host}\nport = {broker.Port}\nprefix = {prefix}\n");
        return folder;
    }
}
