using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Tui;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;
using Terminal.Gui.Views;

namespace SeplosConsole.Tests.Tui;

[Collection(TerminalGuiCollection.Name)]
public sealed class DashboardWindowTests
{
    private static DashboardHarness Online(PackSnapshot? snapshot = null, IParameterEditor? editor = null, int width = 120, int height = 40)
    {
        var feed = new FakeFeed();
        var harness = new DashboardHarness(feed, editor, width, height);
        feed.Publish(PackLinkState.Online, snapshot ?? SnapshotBuilder.Typical().Build(DashboardHarness.Start), DashboardHarness.Start, requests: 3);
        return harness;
    }

    [Fact]
    public void Monitor_shows_the_pack_voltage_and_all_16_cell_voltages()
    {
        using var ui = Online();

        var screen = ui.Screen();

        Assert.Contains("53.12 V", screen);
        foreach (var volts in SnapshotBuilder.TypicalCells)
        {
            Assert.Contains(volts.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), screen);
        }
        Assert.Contains("+12.30 A  charging", screen);
        Assert.Contains("87.5 %", screen);
        Assert.Contains("SN SN12345", screen);
    }

    [Fact]
    public void Highest_and_lowest_cells_are_marked_and_balancing_cells_carry_B()
    {
        using var ui = Online(SnapshotBuilder.Typical().Flag("cell_4_balancing").Build(DashboardHarness.Start));

        var screen = ui.Screen();

        Assert.Contains("15 3.325^", screen);
        Assert.Contains("16 3.310v", screen);
        Assert.Contains(" 4 3.314 B", screen);
        Assert.Contains("delta 15 mV", screen);
    }

    [Fact]
    public void An_active_alarm_is_shown_by_name_in_red()
    {
        using var ui = Online(SnapshotBuilder.Typical().Flag("cell_over_voltage_protection_active").Build(DashboardHarness.Start));

        Assert.Contains("Cell over-voltage protection", ui.Screen());
        Assert.DoesNotContain("all clear", ui.Screen());
        Assert.Equal(Palette.Dark.Foreground(Tone.Alarm), ui.ForegroundOf("Cell over-voltage protection"));
    }

    [Fact]
    public void No_active_alarm_reads_all_clear_in_green()
    {
        using var ui = Online();

        Assert.Contains("all clear", ui.Screen());
        Assert.Equal(Palette.Dark.Foreground(Tone.Good), ui.ForegroundOf("all clear"));
    }

    [Fact]
    public void A_cell_with_its_alarm_bit_is_red_and_charging_current_is_green()
    {
        using var ui = Online(SnapshotBuilder.Typical().Flag("cell_3_high_voltage_alarm").Build(DashboardHarness.Start));

        Assert.Equal(Palette.Dark.Foreground(Tone.Alarm), ui.ForegroundOf(" 3 3.313"));
        Assert.Equal(Palette.Dark.Foreground(Tone.Good), ui.ForegroundOf("+12.30 A"));
    }

    [Fact]
    public void Uncertain_flags_carry_a_question_mark()
    {
        using var ui = Online(SnapshotBuilder.Typical().Flag("static_standby").Build(DashboardHarness.Start));

        Assert.Contains("Static standby / sleep ?", ui.Screen());
    }

    [Fact]
    public void A_stale_pack_shows_STALE_with_its_age_and_keeps_the_old_values_dimmed()
    {
        using var ui = Online();
        Assert.Contains("ONLINE", ui.Screen());

        // No event at all: the timer alone must notice the reading getting old.
        ui.Advance(TimeSpan.FromSeconds(12));
        var screen = ui.Screen();

        Assert.Contains("STALE 12 s", screen);
        Assert.Contains("53.12 V", screen);
        Assert.Equal(Palette.Dark.Foreground(Tone.Dim), ui.ForegroundOf("53.12 V"));
    }

    [Fact]
    public void An_offline_pack_and_a_lost_link_are_named_on_the_status_line()
    {
        using var ui = Online();
        ui.Clock.Advance(TimeSpan.FromSeconds(30));
        ui.Feed.Publish(PackLinkState.Offline, SnapshotBuilder.Typical().Build(DashboardHarness.Start), DashboardHarness.Start, error: "timeout");
        Assert.Contains("OFFLINE 30 s", ui.Screen());
        Assert.Contains("53.12 V", ui.Screen());

        ui.Feed.IsLinkDown = true;
        ui.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains("DISCONNECTED 31 s", ui.Screen());
    }

    [Fact]
    public void Updates_from_a_background_thread_reach_the_screen_through_the_UI_thread()
    {
        using var ui = new DashboardHarness(new FakeFeed());
        Assert.Contains("no pack configured", ui.Screen());

        // A plain thread, as the poller's task would be; the test thread stays the UI thread.
        var poller = new Thread(() => ui.Feed.Publish(PackLinkState.Online, SnapshotBuilder.Typical().Build(DashboardHarness.Start), DashboardHarness.Start));
        poller.Start();
        poller.Join();
        ui.Feed.Raise(new BusEvent(DashboardHarness.Start, BusEventLevel.Error, 0, "CRC error"));
        ui.Advance(TimeSpan.FromMilliseconds(500));

        var screen = ui.Screen();
        Assert.Contains("53.12 V", screen);
        Assert.Contains("ERROR", screen);
        Assert.Contains("pack 0: CRC error", screen);
    }

    [Fact]
    public void The_log_keeps_a_bounded_number_of_lines_newest_last()
    {
        using var ui = Online();
        for (var i = 0; i < 600; i++)
        {
            ui.Feed.Raise(new BusEvent(DashboardHarness.Start, BusEventLevel.Info, 0, $"event {i}"));
        }
        ui.Advance(TimeSpan.FromMilliseconds(500));

        Assert.Equal(500, ui.Window.Log.Lines.Count);
        Assert.EndsWith("event 599", ui.Window.Log.Lines.Last());
        Assert.Contains("event 599", ui.Screen());
    }

    [Fact]
    public void T_outside_the_edit_field_switches_to_parameters_and_back()
    {
        using var ui = Online();

        ui.Press(Key.T);
        var screen = ui.Screen();
        Assert.True(ui.Window.ShowingParameters);
        Assert.Contains("cell_high_voltage_alarm", screen);
        Assert.Contains("Safe range", screen);

        ui.Press(Key.T);
        Assert.False(ui.Window.ShowingParameters);
        Assert.Contains("53.12 V", ui.Screen());
    }

    [Fact]
    public void T_inside_the_edit_field_is_typed_text()
    {
        using var ui = Online(editor: new FakeEditor());

        ui.Press(Key.E);
        Assert.IsType<TextField>(ui.App.Navigation!.GetFocused());
        ui.Type("pulse_time 2");

        Assert.True(ui.Window.ShowingParameters);
        Assert.Equal("pulse_time 2", ui.Window.Parameters.EditField.Text);
        Assert.False(ui.Window.QuitRequested);

        // Esc leaves the field; then t is a command again.
        ui.Press(Key.Esc);
        Assert.IsNotType<TextField>(ui.App.Navigation!.GetFocused());
        ui.Press(Key.T);
        Assert.False(ui.Window.ShowingParameters);
    }

    [Fact]
    public void Edit_confirmed_with_Yes_is_applied_and_its_result_shown()
    {
        var editor = new FakeEditor();
        using var ui = Online(editor: editor);
        ui.Press(Key.E);
        ui.Type("cell_high_voltage_alarm 3.50");

        ui.AnswerNextDialog(Key.Y);
        ui.Press(Key.Enter);

        Assert.Equal([((byte)0, "cell_high_voltage_alarm", "3.50")], editor.Prepared);
        Assert.Single(editor.Applied);
        var screen = ui.Screen();
        Assert.Contains("confirmed: cell_high_voltage_alarm: read back 3.500 V", screen);
        Assert.Contains(ui.Window.Log.Lines, l => l.Contains("queued: cell_high_voltage_alarm: 3.550 → 3.50 V (register 0x130B", StringComparison.Ordinal));
        Assert.Equal("confirmed", ui.Window.Parameters.Source[ui.Window.Parameters.Source.RowOf("cell_high_voltage_alarm"), 5]);
    }

    [Fact]
    public void Edit_answered_No_is_not_applied_and_is_handed_to_the_editor_as_cancelled()
    {
        var editor = new FakeEditor();
        using var ui = Online(editor: editor);
        ui.Press(Key.E);
        ui.Type("cell_high_voltage_alarm 3.50");

        ui.AnswerNextDialog(Key.N);
        ui.Press(Key.Enter);

        Assert.Empty(editor.Applied);
        // The editor journals it: every attempt is on record, cancelled ones too (issue 10).
        Assert.Equal("cell_high_voltage_alarm", Assert.Single(editor.Cancelled).Key);
        Assert.Contains("cancelled", ui.Window.Parameters.ResultText);
    }

    [Fact]
    public void A_write_that_is_not_confirmed_by_the_read_back_says_so()
    {
        var editor = new FakeEditor { Result = new EditResult(EditOutcome.NotConfirmed, "read back 3.550 V") };
        using var ui = Online(editor: editor);
        ui.Press(Key.E);
        ui.Type("cell_high_voltage_alarm 3.50");
        ui.AnswerNextDialog(Key.Y);
        ui.Press(Key.Enter);

        Assert.Contains("not confirmed: cell_high_voltage_alarm: read back 3.550 V", ui.Screen());
    }

    [Fact]
    public void A_refused_edit_shows_the_reason_and_asks_nothing()
    {
        var editor = new FakeEditor { RefuseWith = "3.9 is outside the safe range 2.500..3.650" };
        using var ui = Online(editor: editor);
        ui.Press(Key.E);
        ui.Type("cell_high_voltage_alarm 3.9");

        ui.Press(Key.Enter);

        Assert.Empty(editor.Applied);
        Assert.Contains("refused: cell_high_voltage_alarm: 3.9 is outside the safe range 2.500..3.650", ui.Screen());
    }

    [Fact]
    public void Without_an_editor_the_edit_field_says_writes_are_disabled()
    {
        using var ui = Online();
        ui.Press(Key.T);

        Assert.Contains("writes are disabled", ui.Screen());
    }

    [Fact]
    public void Parameter_values_refresh_in_place_keeping_the_selected_row()
    {
        using var ui = Online(SnapshotBuilder.Typical().Build(DashboardHarness.Start));
        ui.Press(Key.T);
        ui.Screen();
        ui.Press(Key.CursorDown, Key.CursorDown, Key.CursorDown);
        var selected = ui.Window.Parameters.Table.Value!.SelectedCell.Y;
        Assert.Equal(3, selected);

        var changed = SnapshotBuilder.Typical().Value("cell_high_voltage_alarm", 3.45).Build(DashboardHarness.Start.AddSeconds(1));
        ui.Feed.Publish(PackLinkState.Online, changed, DashboardHarness.Start.AddSeconds(1));
        ui.Clock.Advance(TimeSpan.FromSeconds(1));
        ui.Advance(TimeSpan.FromMilliseconds(500));

        Assert.Contains("3.450", ui.Screen());
        Assert.Equal(selected, ui.Window.Parameters.Table.Value!.SelectedCell.Y);
    }

    [Fact]
    public void Several_packs_get_a_selector_and_brackets_switch_between_them()
    {
        var feed = new FakeFeed();
        using var ui = new DashboardHarness(feed);
        feed.Publish(PackLinkState.Online, SnapshotBuilder.Typical(0).Build(DashboardHarness.Start), DashboardHarness.Start);
        feed.Publish(PackLinkState.Online, SnapshotBuilder.Typical(1).Value("pack_voltage", 51.00).Build(DashboardHarness.Start), DashboardHarness.Start);
        ui.Advance(TimeSpan.FromMilliseconds(500));

        var screen = ui.Screen();
        Assert.Contains("Packs", screen);
        Assert.Contains(" 0  87.5%  53.12V", screen);
        Assert.Contains(" 1  87.5%  51.00V", screen);
        Assert.Equal((byte)0, ui.Window.SelectedAddress);

        ui.Press(new Key(']'));
        Assert.Equal((byte)1, ui.Window.SelectedAddress);
        Assert.Contains("Voltage   51.00 V", ui.Screen());

        ui.Press(Key.D1);
        Assert.Equal((byte)0, ui.Window.SelectedAddress);
    }

    [Fact]
    public void Q_and_Ctrl_Q_quit_and_Esc_does_not()
    {
        using var ui = Online();
        ui.Press(Key.Esc);
        Assert.False(ui.Window.QuitRequested);

        ui.Press(Key.Q);
        Assert.True(ui.Window.QuitRequested);
    }

    [Fact]
    public void Ctrl_Q_quits_even_from_the_edit_field()
    {
        using var ui = Online(editor: new FakeEditor());
        ui.Press(Key.E, Key.Q);
        Assert.False(ui.Window.QuitRequested);

        ui.Press(Key.Q.WithCtrl);
        Assert.True(ui.Window.QuitRequested);
    }

    [Fact]
    public void D_toggles_the_theme()
    {
        using var ui = Online();
        ui.Press(Key.D);

        Assert.Same(Palette.Light, ui.Window.Palette);
        Assert.Equal(Palette.Light.Foreground(Tone.Good), ui.ForegroundOf("all clear"));
    }

    [Fact]
    public void Help_lists_the_keys()
    {
        using var ui = Online();
        string? help = null;
        ui.App.Iteration += (_, _) =>
        {
            if (help is null && ui.App.TopRunnableView is Dialog)
            {
                help = ui.App.Driver!.ToString();
                ui.App.InjectKey(Key.Enter);
            }
        };
        ui.Press(new Key('?'));

        Assert.NotNull(help);
        Assert.Contains("monitor / parameters", help);
        Assert.Contains("q Ctrl+Q quit", help);
    }

    [Fact]
    public void The_dashboard_renders_at_80x24_and_follows_resizes()
    {
        using var ui = Online(SnapshotBuilder.Typical().Flag("cell_over_voltage_protection_active").Build(DashboardHarness.Start), width: 80, height: 24);

        var small = ui.Screen();
        Assert.Contains("53.12 V", small);
        Assert.Contains("3.325", small);
        Assert.Contains("Cell over-voltage protection", small);
        Assert.Contains("ONLINE", small);

        ui.App.Driver!.SetScreenSize(132, 50);
        ui.Feed.Raise(new BusEvent(DashboardHarness.Start, BusEventLevel.Info, 0, "after resize"));
        ui.Advance(TimeSpan.FromMilliseconds(500));
        var large = ui.Screen();
        Assert.Contains("after resize", large);
        Assert.Equal(50, large.TrimEnd('\n').Split('\n').Length);

        ui.Press(Key.T);
        ui.App.Driver!.SetScreenSize(80, 24);
        Assert.Contains("cell_high_voltage_alarm", ui.Screen());
    }
}
