using SeplosConsole.Services;
using SeplosConsole.Tui;

namespace SeplosConsole.Tests.Tui;

public sealed class DashboardLogicTests
{
    [Theory]
    [InlineData(3.300, Tone.Normal)]
    [InlineData(3.309, Tone.Normal)]
    [InlineData(3.315, Tone.High)]
    [InlineData(3.285, Tone.Low)]
    public void A_cell_is_shaded_by_its_distance_from_the_average(double volts, Tone expected)
    {
        var pack = new SnapshotBuilder().Build(DashboardHarness.Start);

        Assert.Equal(expected, Tones.ForCell(pack, 1, volts, 3.300));
    }

    [Fact]
    public void A_cell_beyond_the_packs_own_alarm_threshold_is_red()
    {
        var pack = new SnapshotBuilder().Value("cell_high_voltage_alarm", 3.45).Build(DashboardHarness.Start);

        Assert.Equal(Tone.Alarm, Tones.ForCell(pack, 1, 3.46, 3.30));
    }

    [Theory]
    [InlineData(5.0, Tone.Good)]
    [InlineData(-5.0, Tone.Warning)]
    [InlineData(0.01, Tone.Normal)]
    public void Current_colour_follows_its_direction(double amps, Tone expected) => Assert.Equal(expected, Tones.ForCurrent(amps));

    [Fact]
    public void The_rate_meter_counts_requests_per_second()
    {
        var meter = new RateMeter();
        meter.Add(DashboardHarness.Start, 0);
        meter.Add(DashboardHarness.Start.AddSeconds(2), 6);

        Assert.Equal(3.0, meter.PerSecond(DashboardHarness.Start.AddSeconds(2)));
    }

    [Fact]
    public void The_status_line_calls_an_old_online_reading_stale()
    {
        var status = new PackStatus(0, PackLinkState.Online, new SnapshotBuilder().Build(DashboardHarness.Start), DashboardHarness.Start, null, FakeFeed.Counters());

        var (text, tone) = StatusLine.Describe("sim", false, status, DashboardHarness.Start.AddSeconds(8), TimeSpan.FromSeconds(5), null);

        Assert.StartsWith(" STALE 8.0 s", text);
        Assert.Equal(Tone.Warning, tone);
    }

    [Fact]
    public async Task Without_a_terminal_the_dashboard_exits_with_1_and_says_why()
    {
        // DisableRealDriverIO=1 (set for this assembly) makes Terminal.Gui report no terminal.
        using var error = new StringWriter();

        var code = await Dashboard.RunAsync(new FakeFeed(), new DashboardOptions(), CancellationToken.None, error);

        Assert.Equal(Dashboard.ExitNoTerminal, code);
        Assert.Contains("needs a terminal; use `seplos all` or `seplos mqtt`", error.ToString());
    }
}
