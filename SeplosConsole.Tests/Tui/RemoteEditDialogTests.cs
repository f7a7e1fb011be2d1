using SeplosConsole.Services;
using SeplosConsole.Tests.Mqtt;
using Terminal.Gui.Input;
using Xunit.Abstractions;

namespace SeplosConsole.Tests.Tui;

/// <summary>
/// Issue 15: the dashboard's edit flow with the remote editor, headless, against a real mosquitto
/// and a bridge on the simulator: the same dialog (old → new, "yes" in full), and the bridge's
/// answer in the table and the log.
/// </summary>
[Collection(TerminalGuiCollection.Name)]
public sealed class RemoteEditDialogTests(ITestOutputHelper output)
{
    private const string Parameter = RemoteEditRig.Key;

    /// <summary>The dashboard showing what the viewer's broker feed has (the harness draws a fake feed).</summary>
    private static DashboardHarness Dashboard(RemoteEditRig rig, out SeplosConsole.Mqtt.RemoteWriteClient viewer)
    {
        viewer = rig.Viewer();
        var feed = new FakeFeed();
        var ui = new DashboardHarness(feed, viewer);
        var pack = rig.Feed.AllStatus.Single();
        feed.Publish(pack.State, pack.Snapshot, pack.LastSuccess);
        ui.Advance(TimeSpan.FromMilliseconds(500));
        return ui;
    }

    /// <summary>The dashboard with <c>soc_low_alarm 6</c> typed in the edit field, Enter not yet pressed.</summary>
    private static DashboardHarness EditingSocLowAlarm(RemoteEditRig rig)
    {
        var ui = Dashboard(rig, out _);
        ui.Press(Key.E);
        ui.Type($"{Parameter} 6");
        return ui;
    }

    /// <summary>
    /// Runs the UI loop until <paramref name="condition"/> holds: the editor's work runs on the thread
    /// pool and comes back through Invoke, which only the loop runs. Synchronous on purpose: the
    /// application's synchronization context is the loop itself, so an await here would wait for
    /// the very loop it stops.
    /// </summary>
    private static void PumpUntil(DashboardHarness ui, Func<bool> condition, string what)
    {
        if (!SpinWait.SpinUntil(() =>
            {
                ui.Advance(TimeSpan.FromMilliseconds(1));
                return condition();
            }, TimeSpan.FromSeconds(20)))
        {
            throw new TimeoutException($"waited in vain for {what}; the edit line says: {ui.Window.Parameters.ResultText}");
        }
    }

    [Fact]
    public async Task A_remote_edit_confirmed_with_yes_is_written_by_the_bridge_and_shown_confirmed()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        using var ui = EditingSocLowAlarm(rig);

        var dialog = ui.CaptureNextDialog([.. "yes".Select(c => new Key(c)), Key.Enter]);
        ui.Press(Key.Enter);
        PumpUntil(ui, () => ui.Window.Parameters.ResultText.StartsWith("confirmed", StringComparison.Ordinal), "the bridge's answer");

        Assert.Contains("5.0 % → 6.0 % (register 0x1355 raw 50 → raw 60) via bridge seplos", dialog());
        Assert.Contains("checks again against its own fresh reading", dialog());
        Assert.Contains("Type yes and Enter to write", dialog());
        Assert.Contains("bridge seplos: read back equal", ui.Window.Parameters.ResultText);
        Assert.Contains(ui.Window.Log.Lines, l => l.Contains($"confirmed: {Parameter}:", StringComparison.Ordinal));
        Assert.Contains("confirmed", ui.Screen());
        Assert.Equal(6.0, rig.Pack.Value(Parameter));
        // The Write column says what this bridge lets the viewer write: its allow-list, not the whole map.
        Assert.Equal("yes", WriteColumn(ui, Parameter));
        Assert.Equal("no", WriteColumn(ui, "cell_high_voltage_alarm"));
    }

    private static object WriteColumn(DashboardHarness ui, string key) => ui.Window.Parameters.Source[ui.Window.Parameters.Source.RowOf(key), 4];

    [Fact]
    public async Task Tab_and_the_inline_suggestion_offer_only_the_keys_the_bridge_accepts()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        using var ui = Dashboard(rig, out _);
        ui.Press(Key.E);

        // The map has soc_low_recovery, soc_low_alarm, soc_protection_recovery …; the bridge accepts one.
        ui.Type("soc_");
        ui.Press(Key.Tab);
        Assert.Equal($"{Parameter} ", ui.Window.Parameters.EditField.Text);

        ui.Window.Parameters.EditField.Text = "";
        ui.Type("cell_h");
        Assert.Equal("Edit: cell_h", ui.Screen().Split('\n').Single(l => l.StartsWith("Edit:", StringComparison.Ordinal)).TrimEnd());
        ui.Press(Key.Tab);
        Assert.Equal("cell_h", ui.Window.Parameters.EditField.Text);
    }

    [Fact]
    public async Task Esc_at_the_confirmation_sends_nothing_and_journals_the_cancel()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: true);
        using var ui = EditingSocLowAlarm(rig);

        ui.AnswerNextDialog(Key.Y, Key.E, Key.S, Key.Esc);
        ui.Press(Key.Enter);
        PumpUntil(ui, () => ui.Window.Parameters.ResultText.Contains("cancelled", StringComparison.Ordinal), "the cancel");
        PumpUntil(ui, () => rig.ViewerJournal.Read().Count == 1, "the cancel on record");

        Assert.Equal("cancelled", rig.ViewerJournal.Read().Single().Result);
        Assert.Empty(rig.BridgeJournal.Read());
        Assert.Equal(5.0, rig.Pack.Value(Parameter));
    }

    [Fact]
    public async Task A_bridge_that_refuses_writes_is_named_on_the_edit_line_without_a_dialog()
    {
        await using var rig = await RemoteEditRig.StartAsync(output, allowWrites: false);
        using var ui = EditingSocLowAlarm(rig);

        var dialogs = 0;
        ui.OnNextDialog(() => dialogs++);
        ui.Press(Key.Enter);
        PumpUntil(ui, () => ui.Window.Parameters.ResultText.StartsWith("refused", StringComparison.Ordinal), "the refusal");

        Assert.Equal(0, dialogs);
        Assert.Contains("bridge seplos does not accept writes (allow_writes is off there)", ui.Window.Parameters.ResultText);
        Assert.Equal(PackLinkState.Online, rig.Feed.AllStatus.Single().State);
        Assert.Equal("no", WriteColumn(ui, Parameter));
        Assert.Empty(rig.BridgeJournal.Read());
    }
}
