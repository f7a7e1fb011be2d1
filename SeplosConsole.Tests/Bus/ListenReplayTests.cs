using System.Text.Json;
using SeplosConsole.Simulation;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Bus;

/// <summary>
/// Issue 11's "done when": the real sp05b capture (a parallel system's master traffic), replayed
/// on a pty at line speed, read by <c>--listen watch --json</c> for 10 s.
/// </summary>
public class ListenReplayTests
{
    private static IReadOnlyList<ReplayBurst> Sp05b()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "sp05b-capture.txt"));
        // The capture tool wrote 0x5C for every 0x0A (TestData/README.md).
        return CaptureReplayHost.Load(lines, (0x5C, 0x0A));
    }

    [Fact]
    public async Task The_replayed_sp05b_capture_shows_every_pack_with_stable_values_and_no_false_alarm()
    {
        var directory = TempDirectory.Create();
        var link = Path.Combine(directory, "replay");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var host = new CaptureReplayHost(Sp05b());
        var playing = host.RunAsync(link, stop.Token);
        await host.Ready.WaitAsync(stop.Token);

        var result = await CliRunner.RunAsync(["--port", link, "--listen", "watch", "--json", "--seconds", "10"], directory: directory, timeout: TimeSpan.FromSeconds(40));
        await stop.CancelAsync();
        await playing;

        Assert.Equal(0, result.ExitCode);
        var readings = result.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var byPack = readings.GroupBy(r => r.GetProperty("address").GetInt32()).ToDictionary(g => g.Key, g => g.ToList());
        // Pack 0 is the master (its system blocks), pack 1 the slave whose PIC replies it polls.
        Assert.Equal([0, 1], byPack.Keys.Order());
        Assert.True(byPack[0].Count >= 5, $"{byPack[0].Count} readings of pack 0 in 10 s");
        Assert.True(byPack[1].Count >= 2, $"{byPack[1].Count} readings of pack 1 in 10 s");
        foreach (var reading in readings)
        {
            Assert.Equal("online", reading.GetProperty("state").GetString());
            Assert.Empty(reading.GetProperty("active_alarms").EnumerateArray());
        }

        // The 10-byte coil replies (EIC standby, SFA all-ones) no longer flip pack 0's state: the
        // same states every cycle, and the same system totals.
        Assert.Single(byPack[0].Select(r => States(r)).Distinct());
        Assert.Contains("system_standby", States(byPack[0][0]).Split(','));
        Assert.Single(byPack[0].Select(r => Value(r, "system_voltage")).Distinct());
        Assert.Equal(52.86, Value(byPack[0][0], "system_voltage"));
        Assert.Single(byPack[1].Select(r => States(r)).Distinct());
        // EIB changes once in the capture (max/min cell 3.304/3.303 V): both readings are real.
        Assert.All(byPack[0].Where(r => r.GetProperty("values").TryGetProperty("eib_min_cell_voltage", out _)),
            r => Assert.Contains(Value(r, "eib_min_cell_voltage"), new[] { 3.303, 3.304 }));
        Assert.True(host.BytesPlayed > 10_000, $"{host.BytesPlayed} bytes played");
    }

    private static string States(JsonElement reading) => string.Join(',', reading.GetProperty("states").EnumerateArray().Select(s => s.GetString()));

    private static double Value(JsonElement reading, string key) => reading.GetProperty("values").GetProperty(key).GetDouble();

    [Fact]
    public void A_capture_without_timestamps_is_paced_at_line_rate_and_one_with_timestamps_by_them()
    {
        var host = new CaptureReplayHost(CaptureReplayHost.Load(["12:00:00.000 >>> 00 04 10 00 00 12 75 16", "12:00:00.250 <<< 00 84 02 93 01", "00 84 02 93 01"]));

        // 8 bytes at 19200 8N1 take 4.2 ms; the timestamps say 250 ms.
        Assert.Equal(TimeSpan.FromMilliseconds(250), host.Pause(host.Bursts[0], host.Bursts[1]));
        Assert.Equal(SeplosConsole.Transport.SerialLineSettings.SeplosDefault.WireTime(5), host.Pause(host.Bursts[1], host.Bursts[2]));
    }
}
