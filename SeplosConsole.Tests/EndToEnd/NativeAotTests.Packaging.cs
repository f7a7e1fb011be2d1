using SeplosConsole.Tests.Mqtt;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.EndToEnd;

/// <summary>What the release adds to the native program: the version line and the systemd service.</summary>
public sealed partial class NativeAotTests
{
    /// <summary>The packaged unit: the one in the unpacked .deb when testing a package, else the checkout's.</summary>
    private static string UnitPath => NativeAotPublish.PackageRoot is { } root
        ? Path.Combine(root, "lib", "systemd", "system", "seplos-mqtt.service")
        : Path.Combine(RepositoryRoot.Path, "packaging", "seplos-mqtt.service");

    [Fact]
    public async Task Version_prints_the_version_commit_and_build_date_the_build_was_given()
    {
        var result = await CliRunner.RunProcessAsync(Native, ["--version"]);

        Assert.True(result.ExitCode == 0, result.Error);
        var line = Assert.Single(result.Lines);
        if (NativeAotPublish.PackageRoot is null)
        {
            Assert.Equal($"seplos {NativeAotPublish.TestVersion} (commit {NativeAotPublish.TestCommit}, built {NativeAotPublish.TestBuildDate})", line);
        }
        else
        {
            // A release: scripts/release.sh sets the commit (12 hex digits) and the build time.
            Assert.Matches(@"^seplos \d+\.\d+\.\d+(-[0-9A-Za-z.]+)? \(commit [0-9a-f]{12}, built \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$", line);
        }
    }

    [Fact]
    public async Task The_units_ExecStart_publishes_and_tells_systemd_it_is_ready_alive_and_stopping()
    {
        var unit = UnitFile.Parse(await File.ReadAllTextAsync(UnitPath));
        Assert.Equal("notify", unit["Service", "Type"]);
        Assert.Equal("30", unit["Service", "WatchdogSec"]);
        var exec = unit["Service", "ExecStart"]!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("/usr/bin/seplos", exec[0]);
        Assert.Equal("/etc/seplos", unit["Service", "WorkingDirectory"]);

        await using var broker = await MosquittoBroker.StartAsync();
        await using var probe = await MqttProbe.ConnectAsync(broker);
        await using var notify = NotifySocket.AtPath();
        // The folder stands for WorkingDirectory=/etc/seplos: seplos.ini with serial = sim and the broker.
        var folder = await MqttCommandTests.BridgeFolderAsync(broker);
        var start = Native.StartInfo(exec[1..], folder);
        start.Environment["NOTIFY_SOCKET"] = notify.Address;
        // What systemd passes for WatchdogSec=, shortened from 30 s so that pings come within the test.
        start.Environment["WATCHDOG_USEC"] = "2000000";
        start.Environment["WATCHDOG_PID"] = "";
        await using var service = ProgramProcess.Start(start);

        await probe.WaitForAsync(m => m.Topic == "seplos/battery_0/pack_voltage", "pack voltage state");
        var ready = await notify.WaitForAsync("READY=1", timeout: TimeSpan.FromSeconds(20));
        var firstPing = await notify.WaitForAsync("WATCHDOG=1", after: ready);
        await notify.WaitForAsync("WATCHDOG=1", after: firstPing + 1);
        var result = await service.StopAsync(TimeSpan.FromSeconds(20));
        await notify.WaitForAsync("STOPPING=1", after: ready);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains(notify.Messages.Take(ready), m => m.StartsWith("STATUS=MQTT", StringComparison.Ordinal));
        Assert.Contains("systemd: ready (first poll done, published to the broker)", result.Error);
    }
}
