using System.Diagnostics;
using SeplosConsole.Hosting;
using SeplosConsole.Mqtt;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Hosting;

/// <summary>The files the .deb is made of (packaging/), checked without building it; .ci/run builds and installs it.</summary>
public sealed class PackagingFilesTests
{
    private static readonly string Packaging = Path.Combine(RepositoryRoot.Path, "packaging");

    private static UnitFile Unit() => UnitFile.Parse(File.ReadAllText(Path.Combine(Packaging, "seplos-mqtt.service")));

    [Fact]
    public void Docs_mqtt_shows_the_packaged_unit_word_for_word()
    {
        var unit = File.ReadAllText(Path.Combine(Packaging, "seplos-mqtt.service"));
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "mqtt.md"));

        Assert.Contains("```ini\n" + unit + "```\n", docs, StringComparison.Ordinal);
    }

    [Fact]
    public void The_unit_runs_the_bridge_as_a_notify_service_with_a_watchdog_restarted_on_failure()
    {
        var unit = Unit();

        Assert.Equal("/usr/bin/seplos mqtt", unit["Service", "ExecStart"]);
        Assert.Equal("notify", unit["Service", "Type"]);
        Assert.Equal("30", unit["Service", "WatchdogSec"]);
        Assert.Equal("on-failure", unit["Service", "Restart"]);
        Assert.Equal("seplos", unit["Service", "User"]);
        Assert.Equal("dialout", unit["Service", "SupplementaryGroups"]);
        Assert.Equal("multi-user.target", unit["Install", "WantedBy"]);
    }

    [Fact]
    public void The_units_hardening_still_lets_it_open_serial_adapters()
    {
        var unit = Unit();

        // PrivateDevices=yes would hide /dev/ttyUSB*; the device policy names the serial classes instead.
        Assert.NotEqual("yes", unit["Service", "PrivateDevices"]);
        Assert.Equal("closed", unit["Service", "DevicePolicy"]);
        var allowed = unit.All("Service", "DeviceAllow");
        Assert.All(new[] { "char-ttyUSB rw", "char-ttyACM rw", "char-ttyAMA rw" }, device => Assert.Contains(device, allowed));
        Assert.Equal("strict", unit["Service", "ProtectSystem"]);
        Assert.Equal("seplos", unit["Service", "StateDirectory"]);
    }

    [Fact]
    public void The_watchdog_interval_is_shorter_than_the_stall_limit_it_reports()
    {
        var limit = SystemdService.StallLimitFor(new MqttOptions { Server = "broker" }, TimeSpan.FromSeconds(1));

        // docs/mqtt.md: 80 s by default (twice the 30 s back-off + 10 s connect time-out).
        Assert.Equal(TimeSpan.FromSeconds(80), limit);
        Assert.Equal(TimeSpan.FromSeconds(140), SystemdService.StallLimitFor(new MqttOptions { Server = "broker" }, TimeSpan.FromMinutes(1)));
        Assert.True(TimeSpan.FromSeconds(int.Parse(Unit()["Service", "WatchdogSec"]!, System.Globalization.CultureInfo.InvariantCulture)) < limit);
    }

    [Fact]
    public void The_example_config_has_the_journal_line_the_package_turns_on()
    {
        var ini = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "seplos.ini"));

        // packaging/deb/build-deb.sh uncomments exactly this line for /etc/seplos/seplos.ini.
        Assert.Contains("; journal = /var/lib/seplos/journal.jsonl", ini);
    }

    [Theory]
    [InlineData("postinst")]
    [InlineData("prerm")]
    [InlineData("postrm")]
    public async Task The_maintainer_scripts_are_valid_POSIX_shell(string script)
    {
        var start = new ProcessStartInfo("sh") { ArgumentList = { "-n", Path.Combine(Packaging, "deb", script) }, RedirectStandardError = true };
        using var shell = Process.Start(start)!;
        var error = await shell.StandardError.ReadToEndAsync();
        await shell.WaitForExitAsync();

        Assert.True(shell.ExitCode == 0, error);
    }
}
