using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Tui;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;
using Terminal.Gui.Views;

namespace SeplosConsole.Tests.Tui;

/// <summary>Issue 10, the dashboard: a write needs "yes" typed in full, and typing is never a command.</summary>
[Collection(TerminalGuiCollection.Name)]
public sealed class DashboardSafetyTests
{
    private const string MissingPortReason = "serial port /dev/ttyUSB9 does not exist (is the adapter plugged in? try --simulate to run without hardware)";

    private static DashboardHarness Packs(IParameterEditor? editor, params byte[] addresses)
    {
        var feed = new FakeFeed();
        var harness = new DashboardHarness(feed, editor);
        foreach (var address in addresses)
        {
            feed.Publish(PackLinkState.Online, SnapshotBuilder.Typical(address).Build(DashboardHarness.Start), DashboardHarness.Start);
        }
        harness.Advance(TimeSpan.FromMilliseconds(500));
        return harness;
    }

    private static DashboardHarness EditingOnePack(FakeEditor editor)
    {
        var ui = Packs(editor, 0);
        ui.Press(Key.E);
        ui.Type("cell_high_voltage_alarm 3.50");
        return ui;
    }

    [Fact]
    public void The_confirmation_asks_for_yes_typed_in_full_and_shows_old_and_new()
    {
        var editor = new FakeEditor();
        using var ui = EditingOnePack(editor);

        var dialog = ui.CaptureNextDialog(Key.Esc);
        ui.Press(Key.Enter);

        Assert.Contains("3.550 → 3.50 V (register 0x130B raw 3550 → 3500)", dialog());
        Assert.Contains("Type yes and Enter to write", dialog());
        // No button to press: a key that lands in the dialog can only be text in its field.
        Assert.DoesNotContain("Yes", dialog());
    }

    [Theory]
    [InlineData("y")]
    [InlineData("Y")]
    [InlineData("ye")]
    [InlineData("yess")]
    [InlineData("")]
    [InlineData("3.55")]
    public void Enter_on_anything_but_yes_cancels_the_write(string typed)
    {
        var editor = new FakeEditor();
        using var ui = EditingOnePack(editor);

        ui.AnswerNextDialog(typed);
        ui.Press(Key.Enter);

        Assert.Empty(editor.Applied);
        Assert.Contains("not written: cell_high_voltage_alarm (cancelled)", ui.Window.Parameters.ResultText);
        // Handed to the editor, which journals it as cancelled.
        Assert.Equal("cell_high_voltage_alarm", Assert.Single(editor.Cancelled).Key);
        Assert.Contains(ui.Window.Log.Lines, l => l.EndsWith("not written: cell_high_voltage_alarm (cancelled)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("YES")]
    [InlineData(" yes ")]
    public void Yes_in_full_whatever_its_case_confirms(string typed)
    {
        var editor = new FakeEditor();
        using var ui = EditingOnePack(editor);

        ui.AnswerNextDialog(typed);
        ui.Press(Key.Enter);

        Assert.Single(editor.Applied);
    }

    [Fact]
    public void Esc_cancels_even_after_yes_was_typed()
    {
        var editor = new FakeEditor();
        using var ui = EditingOnePack(editor);

        ui.AnswerNextDialog(Key.Y, Key.E, Key.S, Key.Esc);
        ui.Press(Key.Enter);

        Assert.Empty(editor.Applied);
        Assert.Single(editor.Cancelled);
        Assert.Contains("cancelled", ui.Window.Parameters.ResultText);
        Assert.False(ui.Window.QuitRequested);
    }

    [Fact]
    public void Ctrl_C_cancels_even_after_yes_was_typed()
    {
        var editor = new FakeEditor();
        using var ui = EditingOnePack(editor);

        ui.AnswerNextDialog(Key.Y, Key.E, Key.S, Key.C.WithCtrl, Key.Enter);
        ui.Press(Key.Enter);

        Assert.Empty(editor.Applied);
        Assert.Single(editor.Cancelled);
        Assert.Contains("cancelled", ui.Window.Parameters.ResultText);
    }

    [Fact]
    public void Stopping_the_dashboard_while_the_dialog_is_open_cancels_the_write_and_ends_the_window()
    {
        var editor = new FakeEditor();
        using var ui = EditingOnePack(editor);

        // What Ctrl+C or SIGTERM on the process does (Dashboard.RunAsync posts it).
        ui.OnNextDialog(ui.Window.RequestQuit);
        ui.Press(Key.Enter);

        Assert.Empty(editor.Applied);
        Assert.Single(editor.Cancelled);
        Assert.True(ui.Window.QuitRequested);
        Assert.Contains(ui.Window.Log.Lines, l => l.EndsWith("(cancelled)", StringComparison.Ordinal));
    }

    [Fact]
    public void Stopping_the_dashboard_while_help_is_open_ends_help_and_the_window()
    {
        using var ui = Packs(null, 0);
        var stopped = false;

        // What SIGTERM, Ctrl+C on the process or a hung-up terminal does (Dashboard.RunAsync posts it).
        ui.OnNextDialog(() =>
        {
            var help = (Terminal.Gui.App.IRunnable)ui.App.TopRunnableView!;
            ui.Window.RequestQuit();
            stopped = help.StopRequested;
            // Closes help if it was left open, so the test fails rather than hangs.
            ui.App.InjectKey(Key.Enter);
        });
        ui.Press(new Key('?'));

        Assert.True(stopped, "help was left running: the window's loop could never end");
        Assert.True(ui.Window.QuitRequested);
    }

    [Fact]
    public void Ctrl_Q_in_the_dialog_cancels_the_write_and_quits()
    {
        var editor = new FakeEditor();
        using var ui = EditingOnePack(editor);

        // Esc after it only so that a dialog that ignored Ctrl+Q (it did) closes and the test fails, not hangs.
        ui.AnswerNextDialog(Key.Q.WithCtrl, Key.Esc);
        ui.Press(Key.Enter);

        Assert.Empty(editor.Applied);
        Assert.Single(editor.Cancelled);
        Assert.True(ui.Window.QuitRequested);
        Assert.Contains(ui.Window.Log.Lines, l => l.EndsWith("(cancelled)", StringComparison.Ordinal));
    }

    [Fact]
    public void After_a_cancelled_confirmation_typed_keys_stay_in_the_edit_field()
    {
        // The issue's repro: --address 0-3, ], t, e, "cell_high_voltage_alarm 3.6", Enter, Esc,
        // BackSpace, 3, 55, Enter. It switched to pack 2 on "3", lost "55" and sent "3." to pack 2.
        var editor = new FakeEditor();
        using var ui = Packs(editor, 0, 1, 2, 3);
        ui.Press(new Key(']'));
        ui.Press(Key.T, Key.E);
        ui.Type("cell_high_voltage_alarm 3.6");
        ui.AnswerNextDialog(Key.Esc);
        ui.Press(Key.Enter);
        Assert.Equal((byte)1, ui.Window.SelectedAddress);

        ui.Press(Key.Backspace);
        ui.Type("355");
        Assert.Equal("cell_high_voltage_alarm 3.355", ui.Window.Parameters.EditField.Text);
        Assert.Equal((byte)1, ui.Window.SelectedAddress);
        // The other hotkeys are text there too.
        ui.Type("qetd[]?");
        Assert.Equal("cell_high_voltage_alarm 3.355qetd[]?", ui.Window.Parameters.EditField.Text);
        Assert.False(ui.Window.QuitRequested);
        Assert.Same(Palette.Dark, ui.Window.Palette);
        Assert.Equal((byte)1, ui.Window.SelectedAddress);
        Assert.IsNotType<Dialog>(ui.App.TopRunnableView);

        ui.Press(Enumerable.Repeat(Key.Backspace, 7).ToArray());
        ui.AnswerNextDialog(Key.Esc);
        ui.Press(Key.Enter);

        Assert.Equal(((byte)1, "cell_high_voltage_alarm", "3.355"), editor.Prepared[^1]);
    }

    [Fact]
    public void Digits_choose_a_pack_by_its_address_not_its_place_in_the_list()
    {
        using var ui = Packs(null, 2, 5, 7);
        Assert.Equal((byte)2, ui.Window.SelectedAddress);

        ui.Press(Key.D5);
        Assert.Equal((byte)5, ui.Window.SelectedAddress);
        ui.Press(Key.D7);
        Assert.Equal((byte)7, ui.Window.SelectedAddress);

        // Position 1 would have been pack 5; there is no pack 1: nothing changes and the log says why.
        ui.Press(Key.D1);
        Assert.Equal((byte)7, ui.Window.SelectedAddress);
        Assert.Contains(ui.Window.Log.Lines, l => l.EndsWith("no pack 1 here (packs 2, 5, 7)", StringComparison.Ordinal));
    }

    [Fact]
    public void Digits_typed_while_the_pack_list_has_focus_still_choose_by_address()
    {
        using var ui = Packs(null, 2, 5, 7);
        ui.Screen();
        ui.Window.SelectorList.SetFocus();
        Assert.True(ui.Window.SelectorList.HasFocus);

        ui.Press(Key.D5);

        Assert.Equal((byte)5, ui.Window.SelectedAddress);
    }

    [Fact]
    public void Tab_on_an_ambiguous_prefix_completes_the_common_part_and_lists_the_candidates()
    {
        using var ui = Packs(new FakeEditor(), 0);
        ui.Press(Key.E);
        ui.Type("cell_high");

        ui.Press(Key.Tab);

        var candidates = SeplosMap.WritableParameters.Select(f => f.Key).Where(k => k.StartsWith("cell_high", StringComparison.Ordinal)).ToArray();
        Assert.True(candidates.Length > 1, "the map has several cell_high… keys");
        Assert.Equal("cell_high_voltage_", ui.Window.Parameters.EditField.Text);
        Assert.StartsWith($"{candidates.Length} keys: {string.Join(", ", candidates.Order(StringComparer.Ordinal))}", ui.Window.Parameters.ResultText);
        Assert.Contains(candidates.Order(StringComparer.Ordinal).First(), ui.Screen());
        // Focus stays in the field: Tab never jumps to the table while typing.
        Assert.True(ui.Window.Parameters.EditField.HasFocus);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(80)]
    public void The_candidate_list_fits_the_line_and_counts_what_it_leaves_out(int width)
    {
        var keys = SeplosMap.WritableParameters.Select(f => f.Key).Order(StringComparer.Ordinal).ToArray();
        var result = KeyCompletion.Complete("cell_", keys);

        var line = KeyCompletion.Describe(result, width);

        Assert.True(result.IsAmbiguous);
        Assert.Equal("cell_", result.Text);
        Assert.True(line.Length <= width, line);
        Assert.StartsWith($"{result.Candidates.Count} keys: {result.Candidates[0]}", line);
        Assert.Matches(@"… \(\+\d+\)$", line);
    }

    [Fact]
    public void Tab_on_a_unique_prefix_completes_the_key_and_a_space()
    {
        using var ui = Packs(new FakeEditor(), 0);
        ui.Press(Key.E);
        ui.Type("soc_low_a");

        ui.Press(Key.Tab);

        Assert.Equal("soc_low_alarm ", ui.Window.Parameters.EditField.Text);
        Assert.True(ui.Window.Parameters.EditField.HasFocus);
    }

    [Fact]
    public void Esc_leaves_the_edit_field_also_while_a_completion_is_shown()
    {
        using var ui = Packs(new FakeEditor(), 0);
        ui.Press(Key.E);
        ui.Type("soc_low");
        ui.Screen();

        ui.Press(Key.Esc);

        Assert.False(ui.Window.Parameters.EditField.HasFocus);
        Assert.True(ui.Window.ShowingParameters);
    }

    [Fact]
    public void The_edit_label_reads_Edit()
    {
        using var ui = Packs(new FakeEditor(), 0);
        ui.Press(Key.T);

        var screen = ui.Screen();

        Assert.Contains("Edit: ", screen);
        Assert.DoesNotContain("Edit e:", screen);
    }

    [Fact]
    public void A_connection_that_failed_before_the_window_opened_is_explained_in_the_log_and_status_line()
    {
        var feed = new FakeFeed { IsLinkDown = true };
        feed.Add(new PackStatus(0, PackLinkState.Offline, PackSnapshot.Empty(0), null, MissingPortReason, FakeFeed.Counters()));
        using var ui = new DashboardHarness(feed, width: 80, height: 24);

        var screen = ui.Screen();

        Assert.Contains(ui.Window.Log.Lines, l => l.EndsWith("ERROR " + MissingPortReason, StringComparison.Ordinal));
        Assert.True(screen.Contains("does not exist (is the adapter plugged", StringComparison.Ordinal), screen);
        Assert.Contains("try --simulate", screen);
        var status = Rows(screen)[^1];
        Assert.StartsWith(" DISCONNECTED | serial port /dev/ttyUSB9 does not exist", status);
        Assert.EndsWith("| ? help", status.TrimEnd());
    }

    [Fact]
    public void The_status_line_fits_80_columns_with_help_at_its_end()
    {
        var feed = new FakeFeed();
        using var ui = new DashboardHarness(feed, width: 80, height: 24);
        feed.Publish(PackLinkState.Online, SnapshotBuilder.Typical().Text("bms_serial", "SN1234567890ABCD").Build(DashboardHarness.Start), DashboardHarness.Start, requests: 3);

        var status = Rows(ui.Screen())[^1].TrimEnd();

        Assert.StartsWith(" ONLINE | sim | pack 0 SN SN1234567890ABCD |", status);
        Assert.EndsWith("? help", status);
        Assert.True(status.Length <= 80, status);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(60)]
    public void A_long_failure_reason_is_shortened_so_state_and_help_still_show(int width)
    {
        var status = new PackStatus(3, PackLinkState.Offline, PackSnapshot.Empty(3), DashboardHarness.Start, MissingPortReason, FakeFeed.Counters());

        var (text, _) = StatusLine.Describe("/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10KZ3XY-if00-port0", true, status,
            DashboardHarness.Start.AddSeconds(12), TimeSpan.FromSeconds(5), 3.2, "MQTT connected", width);

        Assert.True(text.Length <= width, $"{text.Length}: {text}");
        Assert.True(text.StartsWith(" DISCONNECTED 12 s | serial port", StringComparison.Ordinal), text);
        Assert.EndsWith("| ? help", text);
    }

    [Fact]
    public void The_log_shows_the_newest_line_when_older_ones_wrap()
    {
        using var ui = Packs(null, 0);
        ui.App.Driver!.SetScreenSize(80, 24);
        ui.Feed.Raise(new BusEvent(DashboardHarness.Start, BusEventLevel.Error, 0, "offline: " + string.Join(' ', Enumerable.Repeat("a long reason that wraps", 8))));
        ui.Feed.Raise(new BusEvent(DashboardHarness.Start, BusEventLevel.Info, 0, "the newest line"));
        ui.Advance(TimeSpan.FromMilliseconds(500));

        var screen = ui.Screen();
        Assert.True(screen.Contains("the newest line", StringComparison.Ordinal), screen);
    }

    [Fact]
    public void The_log_tail_counts_wrapped_rows_so_the_newest_line_is_last()
    {
        var rows = LogPane.Tail(["old", "x " + new string('y', 30), "newest"], width: 20, height: 3);

        Assert.Equal(["x " + new string('y', 18), new string('y', 12), "newest"], rows);
    }

    [Fact]
    public void A_newest_line_taller_than_the_log_shows_its_beginning()
    {
        var rows = LogPane.Tail(["old", "first part of it and then much more"], width: 10, height: 2);

        Assert.Equal(["first part", "of it and"], rows);
    }

    [Fact]
    public void Help_is_two_aligned_columns()
    {
        using var ui = Packs(null, 0);
        var help = ui.CaptureNextDialog(Key.Enter);
        ui.Press(new Key('?'));

        var rows = Rows(help()!).Where(r => HelpDialog.Rows.Any(h => r.Contains(h.Does, StringComparison.Ordinal))).ToArray();
        Assert.True(HelpDialog.Rows.Count == rows.Length, help());
        var columns = HelpDialog.Rows.Select(h => rows.Single(r => r.Contains(h.Does, StringComparison.Ordinal)).IndexOf(h.Does, StringComparison.Ordinal)).Distinct();
        Assert.True(columns.Count() == 1, help());
        // Every key starts in one column too, left of its description.
        var keyColumn = columns.Single() - HelpDialog.Rows.Max(h => h.Keys.Length) - 2;
        Assert.All(HelpDialog.Rows, h => Assert.StartsWith(h.Keys + " ", rows.Single(r => r.Contains(h.Does, StringComparison.Ordinal))[keyColumn..]));
    }

    [Fact]
    public void Help_shows_every_row_whole_in_a_60_by_20_terminal()
    {
        var feed = new FakeFeed();
        using var ui = new DashboardHarness(feed, width: 60, height: 20);
        feed.Publish(PackLinkState.Online, SnapshotBuilder.Typical().Build(DashboardHarness.Start), DashboardHarness.Start);
        ui.Advance(TimeSpan.FromMilliseconds(500));
        var help = ui.CaptureNextDialog(Key.Enter);
        ui.Press(new Key('?'));

        // The trends and history rows were cut at the dialog's edge ("… / 1 h / 24 ").
        var screen = help()!;
        Assert.All(HelpDialog.Rows, h => Assert.Contains(h.Does, screen));
    }

    private static string[] Rows(string screen) => screen.TrimEnd('\n').Split('\n');
}
