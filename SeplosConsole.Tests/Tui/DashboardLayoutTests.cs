using System.Globalization;
using System.Text.RegularExpressions;
using SeplosConsole.Services;
using SeplosConsole.Tui;

namespace SeplosConsole.Tests.Tui;

/// <summary>Issue 10 (small terminals) and 13 (cell bars): what fits where, and what shows when it does not.</summary>
[Collection(TerminalGuiCollection.Name)]
public sealed partial class DashboardLayoutTests
{
    [GeneratedRegex(@"\b(\d{1,2}) (3\.\d{3})")]
    private static partial Regex CellVoltage();

    private static DashboardHarness Online(int width, int height, SnapshotBuilder? pack = null)
    {
        var feed = new FakeFeed();
        var harness = new DashboardHarness(feed, width: width, height: height);
        feed.Publish(PackLinkState.Online, (pack ?? SnapshotBuilder.Typical()).Build(DashboardHarness.Start), DashboardHarness.Start);
        return harness;
    }

    /// <summary>A new reading of the pack <paramref name="second"/> s after the start, taken by the window.</summary>
    private static void Reading(DashboardHarness ui, SnapshotBuilder pack, int second)
    {
        var at = DashboardHarness.Start.AddSeconds(second);
        ui.Feed.Publish(PackLinkState.Online, pack.Build(at), at);
        ui.Clock.Advance(TimeSpan.FromSeconds(1));
        ui.Advance(TimeSpan.FromMilliseconds(500));
    }

    private static string[] Rows(string screen) => screen.TrimEnd('\n').Split('\n');

    private static HashSet<int> CellsOn(string screen) => [.. CellVoltage().Matches(screen).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    [Theory]
    [InlineData(80, 24)]
    [InlineData(60, 20)]
    public void Every_cell_the_alarms_and_the_log_show_at_small_sizes(int width, int height)
    {
        using var ui = Online(width, height, SnapshotBuilder.Typical().Flag("cell_over_voltage_protection_active"));
        ui.Feed.Raise(new BusEvent(DashboardHarness.Start, BusEventLevel.Info, 0, "latest event"));
        ui.Advance(TimeSpan.FromMilliseconds(500));

        var screen = ui.Screen();

        Assert.True(Enumerable.Range(1, 16).All(CellsOn(screen).Contains), screen);
        Assert.Contains("Cell over-voltage protection", screen);
        Assert.Contains("latest event", screen);
        Assert.DoesNotContain("hidden", screen);
        Assert.EndsWith("? help", Rows(screen)[^1].TrimEnd());
        Assert.All(Rows(screen), row => Assert.True(row.TrimEnd().Length <= width, row));
    }

    [Fact]
    public void A_terminal_too_short_for_a_pane_says_which_pane_is_hidden()
    {
        using var ui = Online(60, 15);

        var status = Rows(ui.Screen())[^1];

        Assert.Contains("hidden: alarms, log", status);
        Assert.EndsWith("? help", status.TrimEnd());
        Assert.True(Enumerable.Range(1, 16).All(CellsOn(ui.Screen()).Contains), ui.Screen());
    }

    [Fact]
    public void Cells_that_do_not_fit_are_counted_in_the_panel_title()
    {
        var layout = CellGrid.Plan(16, width: 20, height: 3);

        Assert.True(layout.Shown < 16);
        Assert.Equal(6, layout.Shown);
    }

    [Theory]
    [InlineData(40, 9, 2, true, false)]    // 80×24: two columns of 8, each with a bar
    [InlineData(20, 9, 2, false, false)]   // 60×20: two columns of 8, numbers only
    [InlineData(80, 9, 2, true, true)]     // 120×40: bar and min–max since start
    public void The_grid_reflows_to_the_panel(int width, int height, int columns, bool bar, bool minMax)
    {
        var layout = CellGrid.Plan(16, width, height);

        Assert.Equal(columns, layout.Columns);
        Assert.Equal(16, layout.Shown);
        Assert.Equal(bar, layout.ShowsBar);
        Assert.Equal(minMax, layout.ShowsMinMax);
        Assert.True(layout.Columns * layout.CellWidth + (layout.Columns - 1) * layout.Gap <= width);
    }

    [Theory]
    [InlineData(2.70, "········")]
    [InlineData(3.65, "████████")]
    [InlineData(3.175, "████····")]
    [InlineData(3.20, "████▎···")]
    [InlineData(2.00, "········")]
    [InlineData(4.00, "████████")]
    public void A_bar_runs_from_the_under_to_the_over_voltage_protection(double volts, string expected)
        => Assert.Equal(expected, CellGrid.Bar(volts, 2.70, 3.65, 8));

    [Fact]
    public void At_80x24_each_cell_has_a_bar_scaled_to_the_packs_own_protection_thresholds()
    {
        var pack = SnapshotBuilder.Typical()
            .Value("cell_under_voltage_protection", 2.80).Value("cell_over_voltage_protection", 3.60)
            .Value("cell_1", 3.60).Value("cell_2", 2.80);
        using var ui = Online(80, 24, pack);

        var screen = ui.Screen();

        Assert.Contains(" 1 3.600^  ████████", screen);
        Assert.Contains(" 2 2.800v  ········", screen);
        Assert.Contains("bar 2.80..3.60 V UV..OV prot.", screen);
    }

    [Fact]
    public void The_bar_of_a_balancing_cell_carries_the_B()
    {
        using var ui = Online(80, 24, SnapshotBuilder.Typical().Flag("cell_4_balancing"));

        Assert.Matches(@" 4 3\.314 B [█▏▎▍▌▋▊▉·]{8}", ui.Screen());
    }

    [Fact]
    public void Wide_terminals_show_each_cells_min_and_max_since_start()
    {
        using var ui = Online(120, 40, SnapshotBuilder.Typical().Value("cell_1", 3.300));
        Reading(ui, SnapshotBuilder.Typical().Value("cell_1", 3.350), second: 1);
        Reading(ui, SnapshotBuilder.Typical().Value("cell_1", 3.320), second: 2);

        var screen = ui.Screen();

        Assert.Matches(@" 1 3\.320 +[█▏▎▍▌▋▊▉·]+ 3\.300-3\.350", screen);
        Assert.Contains("min-max since start", screen);
    }

    [Fact]
    public void At_80x24_c_shows_each_cells_min_and_max_since_start_and_back()
    {
        using var ui = Online(80, 24, SnapshotBuilder.Typical().Value("cell_12", 3.300));
        Reading(ui, SnapshotBuilder.Typical().Value("cell_12", 3.341), second: 1);
        Assert.DoesNotContain("3.300-3.341", ui.Screen());

        ui.Press(Terminal.Gui.Input.Key.C);
        var screen = ui.Screen();

        Assert.Contains("12 3.300-3.341", screen);
        Assert.Contains(" 1 3.311-3.311", screen);
        Assert.Contains("Cells min-max", screen);
        Assert.DoesNotContain("more: enlarge", screen);

        ui.Press(Terminal.Gui.Input.Key.C);
        Assert.Matches(@"12 3\.341\^ +[█▏▎▍▌▋▊▉·]{8}", ui.Screen());
    }

    [Fact]
    public void The_cells_are_not_redrawn_when_nothing_shown_changed()
    {
        using var ui = Online(80, 24);
        ui.Screen();
        Assert.False(ui.Window.Cells.NeedsDraw);

        // The same values again, as a new reading: nothing on the panel changes.
        ui.Feed.Publish(PackLinkState.Online, SnapshotBuilder.Typical().Build(DashboardHarness.Start.AddSeconds(0.5)), DashboardHarness.Start.AddSeconds(0.5));
        ui.Advance(TimeSpan.FromMilliseconds(500));

        Assert.False(ui.Window.Cells.NeedsDraw);

        // One cell changes: the panel is redrawn (the comparison sees a single value).
        ui.Feed.Publish(PackLinkState.Online, SnapshotBuilder.Typical().Value("cell_7", 3.299).Build(DashboardHarness.Start.AddSeconds(1)), DashboardHarness.Start.AddSeconds(1));
        ui.Advance(TimeSpan.FromMilliseconds(500));

        Assert.True(ui.Window.Cells.NeedsDraw);
    }
}
