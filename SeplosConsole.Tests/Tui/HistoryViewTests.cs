using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Services.History;
using SeplosConsole.Tests.History;
using SeplosConsole.Tui;
using Terminal.Gui.Input;

namespace SeplosConsole.Tests.Tui;

/// <summary>The dashboard's `h` history view and the status panel's clock drift, headless.</summary>
[Collection(TerminalGuiCollection.Name)]
public sealed class HistoryViewTests
{
    private static readonly HistoryRecord Quiet = HistoryLayoutTests.Record(HistoryRecordCodec.EventBytesOf([Flag("charging")])) with
    {
        Date = new DateTime(2026, 4, 30, 10, 0, 0),
        RecordsRemaining = 2,
    };

    private static readonly HistoryRecord OverVoltage = HistoryLayoutTests.Record(HistoryRecordCodec.EventBytesOf(
        [Flag("charging"), Flag("cell_over_voltage_protection_active")])) with
    {
        Date = new DateTime(2026, 4, 29, 18, 30, 5),
        RecordsRemaining = 1,
        Cells = [.. Enumerable.Range(0, 15).Select(i => 3.400 + (i * 0.001)), 3.651],
    };

    private static readonly HistoryRecord CellAlarm = HistoryLayoutTests.Record(HistoryRecordCodec.EventBytesOf([Flag("cell_low_voltage_alarm_active")])) with
    {
        Date = new DateTime(2026, 1, 2, 3, 4, 5),
        RecordsRemaining = 0,
    };

    private static FlagDefinition Flag(string key) => SeplosMap.FindFlag(key)!;

    /// <summary>A pack whose history the download reads from a list, as the pack would answer.</summary>
    private static HistoryDownload Serving(params HistoryRecord[] records)
    {
        var next = 0;
        return new HistoryDownload((first, _) =>
        {
            next = first ? 0 : next + 1;
            return Task.FromResult(next < records.Length ? records[next] : null);
        });
    }

    private static DashboardHarness Online(Func<byte, HistoryDownload>? history, PackSnapshot? snapshot = null, int width = 120, int height = 40)
    {
        var feed = new FakeFeed();
        var harness = new DashboardHarness(feed, width: width, height: height, history: history);
        feed.Publish(PackLinkState.Online, snapshot ?? SnapshotBuilder.Typical().Build(DashboardHarness.Start), DashboardHarness.Start, requests: 3);
        return harness;
    }

    [Fact]
    public void H_downloads_the_history_into_a_table_with_protections_in_red_and_alarms_in_yellow()
    {
        using var ui = Online(_ => Serving(Quiet, OverVoltage, CellAlarm));

        ui.Press(Key.H);
        var screen = ui.Screen();

        Assert.True(ui.Window.ShowingHistory);
        Assert.Contains("History of pack 0: 3 records", screen);
        Assert.Contains("2026-04-30 10:00:00", screen);
        Assert.Contains("2026-04-29 18:30:05", screen);
        Assert.Contains("3.651", screen);
        Assert.Equal(Palette.Dark.Foreground(Tone.Alarm), ui.ForegroundOf("Cell over-voltage protection"));
        Assert.Equal(Palette.Dark.Foreground(Tone.Warning), ui.ForegroundOf("Cell low-voltage alarm"));
    }

    [Fact]
    public void Enter_shows_the_selected_records_16_cells_and_temperatures_and_Esc_goes_back()
    {
        using var ui = Online(_ => Serving(Quiet, OverVoltage, CellAlarm));
        ui.Press(Key.H);
        ui.Screen();

        ui.Press(Key.CursorDown, Key.Enter);
        var screen = ui.Screen();

        Assert.Contains("16:3.651", screen);
        Assert.Contains(" 1:3.400", screen);
        Assert.Contains("T1 21.5", screen);
        Assert.Contains("events: charging, cell_over_voltage_protection_active", screen);

        ui.Press(Key.Esc);
        Assert.False(ui.Window.ShowingHistory);
        Assert.Contains("┤Cells├", ui.Screen());
    }

    [Fact]
    public void In_listen_mode_the_history_view_says_why_there_is_no_history()
    {
        using var ui = Online(history: null);

        ui.Press(Key.H);

        Assert.Contains("listen mode never transmits", ui.Screen());
        Assert.Empty(ui.Window.History.Source.Records);
    }

    [Fact]
    public void A_pack_without_history_records_says_so()
    {
        using var ui = Online(_ => Serving());

        ui.Press(Key.H);

        Assert.Contains("the pack has no history records", ui.Screen());
    }

    [Fact]
    public void The_history_view_fits_an_80_by_24_terminal()
    {
        using var ui = Online(_ => Serving(Quiet, OverVoltage, CellAlarm), width: 80, height: 24);

        ui.Press(Key.H);
        var screen = ui.Screen();

        Assert.Contains("2026-04-29 18:30:05", screen);
        Assert.Contains("Cell over-voltage protection", screen);
    }

    [Theory]
    [InlineData(8 * 3600, "clock +8 h 0 min 0 s", Tone.Warning)]
    [InlineData(-61, "clock −1 min 1 s", Tone.Warning)]
    [InlineData(12, "clock +12 s", Tone.Normal)]
    public void The_status_panel_shows_the_clock_drift_yellow_above_a_minute(int driftSeconds, string text, Tone tone)
    {
        var readAt = DashboardHarness.Start;
        var hostLocal = TimeZoneInfo.ConvertTime(readAt, TimeZoneInfo.Local).DateTime;
        var sca = new byte[8];
        Tb13Date.Encode(hostLocal.AddSeconds(driftSeconds), sca);
        var snapshot = SnapshotBuilder.Typical().Build(readAt).With(new BlockReading(BlockId.Sca, sca, readAt));
        using var ui = Online(history: null, snapshot: snapshot);

        Assert.Contains(text, ui.Screen());
        Assert.Equal(Palette.Dark.Foreground(tone), ui.ForegroundOf(text));
    }

    [Fact]
    public void At_80_columns_beside_the_pack_list_the_clock_drift_leaves_the_fets_line_whole()
    {
        var readAt = DashboardHarness.Start;
        var sca = new byte[8];
        Tb13Date.Encode(TimeZoneInfo.ConvertTime(readAt, TimeZoneInfo.Local).DateTime.AddHours(8), sca);
        using var ui = Online(history: null, snapshot: SnapshotBuilder.Typical().Build(readAt).With(new BlockReading(BlockId.Sca, sca, readAt)), width: 80, height: 24);
        ui.Feed.Publish(PackLinkState.Online, SnapshotBuilder.Typical(1).Build(readAt), readAt);
        ui.Advance(TimeSpan.FromMilliseconds(500));

        var screen = ui.Screen();

        // The pack list narrows the status panel to half the screen; the drift once overwrote "ON".
        Assert.Contains("Packs", screen);
        Assert.Contains("clock +8 h 0 min 0 s", screen);
        Assert.Contains("discharge ON", screen);
    }

    [Fact]
    public void At_60_columns_beside_the_pack_list_the_clock_drift_gives_way_to_the_state()
    {
        var readAt = DashboardHarness.Start;
        var sca = new byte[8];
        Tb13Date.Encode(TimeZoneInfo.ConvertTime(readAt, TimeZoneInfo.Local).DateTime.AddHours(8), sca);
        using var ui = Online(history: null, snapshot: SnapshotBuilder.Typical().Build(readAt).With(new BlockReading(BlockId.Sca, sca, readAt)), width: 60, height: 20);
        ui.Feed.Publish(PackLinkState.Online, SnapshotBuilder.Typical(1).Build(readAt), readAt);
        ui.Advance(TimeSpan.FromMilliseconds(500));

        var screen = ui.Screen();

        // The panel is 33 columns wide here: "State: " and the clock filled it, the state was gone.
        Assert.Contains("Packs", screen);
        Assert.Contains("State: Charging", screen);
        Assert.DoesNotContain("clock +8 h", screen);
    }
}
