using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Tui;

namespace SeplosConsole.Tests.Tui;

/// <summary>The dashboard with a partial reading (issue 11): the values that were read, and a mark for the block that was not.</summary>
[Collection(TerminalGuiCollection.Name)]
public sealed class DashboardPartialTests
{
    [Fact]
    public void A_refused_block_is_named_on_the_status_line_and_the_other_values_are_shown()
    {
        var feed = new FakeFeed();
        using var ui = new DashboardHarness(feed);
        var snapshot = SnapshotBuilder.Typical().Build(DashboardHarness.Start).WithMissing(BlockId.Pic, "pack 0 refused to send PIC: illegal data address");
        feed.Publish(PackLinkState.Online, snapshot, DashboardHarness.Start, requests: 3);

        var screen = ui.Screen();

        Assert.Contains("53.12 V", screen);
        Assert.Contains("NO PIC", screen);
        // No alarm data is not "all clear".
        Assert.DoesNotContain("all clear", screen);
        Assert.Equal(Palette.Dark.Foreground(Tone.Warning), ui.ForegroundOf("NO PIC"));
    }

    [Fact]
    public void A_complete_reading_has_no_mark()
    {
        var feed = new FakeFeed();
        using var ui = new DashboardHarness(feed);
        feed.Publish(PackLinkState.Online, SnapshotBuilder.Typical().Build(DashboardHarness.Start), DashboardHarness.Start, requests: 3);

        Assert.DoesNotContain("NO ", ui.Screen());
        var (text, tone) = StatusLine.Describe("sim", false, feed.AllStatus[0], DashboardHarness.Start, TimeSpan.FromSeconds(5), null);
        Assert.StartsWith(" ONLINE | sim", text);
        Assert.Equal(Tone.Good, tone);
    }
}
