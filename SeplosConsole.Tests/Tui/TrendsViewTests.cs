using System.Text.RegularExpressions;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Tests.Recording;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;

namespace SeplosConsole.Tests.Tui;

/// <summary>The dashboard's trends view, headless: graphs, their labels, the window keys.</summary>
public sealed class TrendsViewTests
{
    /// <summary>Publishes <paramref name="polls"/> readings of a simulated pack a second apart, as the poller would.</summary>
    private static PackSnapshot Feed(FakeFeed feed, int polls)
    {
        var snapshot = PackSnapshot.Empty(0);
        foreach (var (_, blocks) in RecordingSamples.Polls(polls, TimeSpan.FromSeconds(1)))
        {
            snapshot = snapshot.With(blocks);
            feed.Publish(PackLinkState.Online, snapshot, blocks[0].ReadAt);
        }
        return snapshot;
    }

    private static bool HasBraille(string screen) => screen.Any(c => c is > '\u2800' and <= '\u28FF');

    [Theory]
    [InlineData(80, 24)]
    [InlineData(120, 40)]
    public void Key_g_shows_every_graph_with_now_min_max_and_axis_labels(int width, int height)
    {
        var feed = new FakeFeed();
        using var dashboard = new DashboardHarness(feed, width: width, height: height);
        var last = Feed(feed, 300);

        dashboard.Press(new Key('g'));
        var screen = dashboard.Screen();

        Assert.True(dashboard.Window.Trends.Visible);
        Assert.Contains("Trends of pack 0, last 10 min", screen);
        foreach (var (name, unit) in new[] { ("Voltage", "V"), ("Current", "A"), ("Power", "W"), ("SOC", "%"), ("Spread", "V"), ("Temp max", "°C"), ("Cell max", "V"), ("Cell min", "V") })
        {
            Assert.Matches($@"{name} -?\d+\.\d+ {unit} min -?\d+\.\d+ max -?\d+\.\d+", screen);
        }
        Assert.Contains($"Voltage {last.Fields["pack_voltage"].Display} V min ", screen);
        Assert.True(HasBraille(screen), screen);
        // The y axis: the top and bottom rows carry the max and min; the x axis the window's ends.
        Assert.Matches(@"\s\d+\.\d\d┤", screen);
        Assert.Contains("08:04:59", screen);
        Assert.Contains("07:54:59", screen);
    }

    [Fact]
    public void At_60_columns_each_title_keeps_to_its_own_graph()
    {
        var feed = new FakeFeed();
        using var dashboard = new DashboardHarness(feed, width: 60, height: 20);
        var last = Feed(feed, 300);

        dashboard.Press(new Key('g'));
        var screen = dashboard.Screen();

        // Two graphs a row, 30 columns each: the full title ran into the next one ("… max 0Temp max").
        Assert.Matches($@"(?m)^Voltage {Regex.Escape(last.Fields["pack_voltage"].Display)} V +Current -?\d+\.\d+ A +$", screen);
        foreach (var left in new[] { "Voltage ", "Power ", "Spread ", "Cell max " })
        {
            var row = screen.Split('\n').Single(r => r.StartsWith(left, StringComparison.Ordinal));
            // A blank before the graph beside it (at column 30), and the right title whole within its half.
            Assert.True(row[29] == ' ', row);
            Assert.True(row[30..].TrimEnd().Length < 30, row);
        }
        Assert.Matches(@"\s\d+\.\d\d┤", screen);
    }

    [Fact]
    public void Key_w_switches_between_10_minutes_an_hour_and_a_day_and_g_goes_back()
    {
        var feed = new FakeFeed();
        using var dashboard = new DashboardHarness(feed);
        Feed(feed, 30);

        dashboard.Press(new Key('g'));
        Assert.Contains("last 10 min", dashboard.Screen());
        dashboard.Press(new Key('w'));
        Assert.Contains("last 1 h", dashboard.Screen());
        dashboard.Press(new Key('w'));
        var day = dashboard.Screen();
        Assert.Contains("last 24 h", day);
        Assert.True(HasBraille(day));
        dashboard.Press(new Key('w'));
        Assert.Contains("last 10 min", dashboard.Screen());

        dashboard.Press(new Key('g'));
        Assert.False(dashboard.Window.Trends.Visible);
        Assert.DoesNotContain("Trends of pack", dashboard.Screen());
    }

    [Fact]
    public void The_trends_view_before_any_reading_says_so()
    {
        var feed = new FakeFeed();
        feed.Add(new PackStatus(0, PackLinkState.Connecting, PackSnapshot.Empty(0), null, null, FakeFeed.Counters()));
        using var dashboard = new DashboardHarness(feed);

        dashboard.Press(new Key('g'));

        Assert.Contains("Voltage: no readings yet", dashboard.Screen());
    }

    [Fact]
    public void Help_lists_the_trends_keys()
    {
        var feed = new FakeFeed();
        using var dashboard = new DashboardHarness(feed);
        Feed(feed, 2);
        string? help = null;
        dashboard.App.Iteration += (_, _) =>
        {
            if (help is null && dashboard.App.TopRunnableView is Terminal.Gui.Views.Dialog)
            {
                dashboard.App.LayoutAndDraw(true);
                help = dashboard.App.Driver!.ToString();
                dashboard.App.InjectKey(Key.Enter);
            }
        };

        dashboard.Press(new Key('?'));

        Assert.Matches(@"\bg +trends", help);
        Assert.Contains("w: 10 min / 1 h / 24 h", help);
    }
}
