using SeplosConsole.Tests.Mqtt;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.EndToEnd;

/// <summary>The dashboard with no serial port: two real `seplos mqtt` bridges on the simulator, one mosquitto, `seplos --mqtt` in tmux.</summary>
[Collection(TimingCollection.Name)]
public sealed class RemoteDashboardInTmuxTests
{
    [Fact]
    public async Task Seplos_mqtt_shows_the_live_packs_of_two_bridges_and_marks_a_stopped_bridges_packs_stale()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var garage = BridgeFolder(broker, "garage");
        var shed = BridgeFolder(broker, "shed");
        using var stopGarage = new CancellationTokenSource();
        using var stopShed = new CancellationTokenSource();
        var garageRun = CliRunner.RunUntilCancelledAsync(["--simulate", "--address", "0-1", "mqtt"], garage, stopGarage.Token);
        var shedRun = CliRunner.RunUntilCancelledAsync(["--simulate", "--address", "5", "mqtt"], shed, stopShed.Token);
        try
        {
            // The viewer's folder has only the broker: no serial port, no prefix.
            var viewer = Directory.CreateTempSubdirectory("seplos-viewer-").FullName;
            await File.WriteAllTextAsync(Path.Combine(viewer, "seplos.ini"), $"[mqtt]\nserver = {broker.Host}\nport = {broker.Port}\n");
            var stderr = Path.Combine(viewer, "stderr.txt");
            await using var terminal = await Tmux.StartAsync(
                $"cd '{viewer}' && env -u DisableRealDriverIO {SeplosProgram.Managed.ShellCommand} --mqtt 2>'{stderr}'", 100, 32);

            var screen = await terminal.WaitForScreenAsync(
                s => s.Contains("is pack 5 of bridge shed", StringComparison.Ordinal) && s.Contains("is pack 1 of bridge garage", StringComparison.Ordinal)
                    && s.Contains("ONLINE", StringComparison.Ordinal) && DashboardInTmuxTests.CellVoltage().Count(s) >= 16
                    // Each pack's first reading may come a poll after its bridge is named.
                    && new[] { 0, 1, 5 }.All(a => System.Text.RegularExpressions.Regex.IsMatch(s, $@"│ {a}\s+\d+\.\d%")),
                "the packs of both bridges, live, each with its reading");
            Assert.Contains("mqtt://127.0.0.1", screen, StringComparison.Ordinal);
            // The pack list has all three, each with its reading.
            Assert.Matches(@"│ 0\s+\d+\.\d%", screen);
            Assert.Matches(@"│ 1\s+\d+\.\d%", screen);
            Assert.Matches(@"│ 5\s+\d+\.\d%", screen);

            await stopShed.CancelAsync();
            await shedRun.WaitAsync(TimeSpan.FromSeconds(20));
            screen = await terminal.WaitForScreenAsync(s => s.Contains("bridge shed is offline", StringComparison.Ordinal), "the shed bridge going offline");
            Assert.Matches(@"│ 5\s+.*STALE", screen);
            Assert.DoesNotMatch(@"│ 0\s+.*STALE", screen);
            await terminal.SendKeysAsync("q");
        }
        finally
        {
            await stopGarage.CancelAsync();
            await stopShed.CancelAsync();
            await Task.WhenAll(garageRun, shedRun).WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    private static string BridgeFolder(MosquittoBroker broker, string prefix)
    {
        var folder = Directory.CreateTempSubdirectory($"seplos-bridge-{prefix}-").FullName;
        File.WriteAllText(Path.Combine(folder, "seplos.ini"), $"[seplos]\ninterval_ms = 500\n[mqtt]\nserver = {broker.Host}\nport = {broker.Port}\nprefix = {prefix}\n");
        return folder;
    }
}
