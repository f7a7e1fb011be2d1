using System.Collections.Concurrent;
using SeplosConsole.Services;
using Terminal.Gui.App;
using Terminal.Gui.Drawing;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace SeplosConsole.Tui;

/// <summary>
/// The dashboard's one window: monitor or parameters above, the log below, the status line at the
/// bottom. Feed events arrive on a background task; they are stored and applied on the UI thread
/// by a timer (at most <see cref="DashboardOptions.RefreshInterval"/>) or, for a change of state,
/// by one coalesced <c>Invoke</c>. Views are only touched on the UI thread.
/// </summary>
public sealed partial class DashboardWindow : Window
{
    private const int LeftWidth = 38;

    private readonly IApplication _app;
    private readonly IPackFeed _feed;
    private readonly DashboardOptions _options;
    private readonly ConcurrentDictionary<byte, PackStatus> _latest = new();
    private readonly ConcurrentQueue<string> _pendingLog = new();
    private readonly Dictionary<byte, RateMeter> _rates = [];
    private readonly Dictionary<byte, PackStatus> _seen = [];
    private readonly List<byte> _addresses = [];
    private readonly CancellationTokenSource _closing = new();
    private readonly List<Task> _work = [];
    private readonly View _monitor;
    private readonly PackPanel _packPanel;
    private readonly CellGrid _cells;
    private readonly StatusPanel _status;
    private readonly PackSelector _selector;
    private readonly ParametersView _parameters;
    private readonly TrendsView _trends;
    private readonly HistoryView _history;
    private readonly LogPane _log;
    private readonly LiveLabel _statusLine;
    private readonly object? _timer;
    private Palette _palette;
    private int _selected;
    private int _refreshQueued;
    private PackStatus? _shownStatus;
    private bool _shownOld;
    private bool _forceRedraw = true;
    private volatile bool _closed;
    private ConfirmWriteDialog? _openConfirmation;
    private readonly CellExtremes _extremes = new();

    public DashboardWindow(IApplication app, IPackFeed feed, DashboardOptions options)
    {
        _app = app;
        _feed = feed;
        _options = options;
        _palette = options.LightTheme ? Palette.Light : Palette.Dark;
        Title = "Seplos";
        BorderStyle = LineStyle.None;
        CanFocus = true;
        SetScheme(_palette.Window);

        // Heights follow the terminal (MonitorSplit): 80×24 and 60×20 keep every pane, smaller ones
        // hide the log, then the status panel, and say so on the status line.
        _monitor = new View { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Func(_ => Split.Body), CanFocus = true };
        _packPanel = new PackPanel(_palette) { X = 0, Y = 0, Width = LeftWidth, Height = Dim.Func(_ => Split.Top) };
        _cells = new CellGrid(_palette, _extremes) { X = LeftWidth, Y = 0, Width = Dim.Fill(), Height = Dim.Func(_ => Split.Top) };
        _status = new StatusPanel(_palette) { X = 0, Y = Pos.Func(_ => Split.Top), Width = Dim.Fill(), Height = Dim.Func(_ => Split.Status) };
        _selector = new PackSelector(_palette) { X = Pos.Right(_status), Y = Pos.Func(_ => Split.Top), Width = Dim.Fill(), Height = Dim.Func(_ => Split.Status), Visible = false };
        _selector.List.ValueChanged += (_, _) => Guard(() => SelectFromList());
        _monitor.Add(_packPanel, _cells, _status, _selector);

        _parameters = new ParametersView(_palette, options.Editor is not null)
        {
            X = 0,
            Y = 0,
            Width = Dim.Fill(),
            Height = Dim.Func(_ => Split.Body),
            Visible = false,
        };
        if (options.Editor is { } editor)
        {
            _parameters.UseWriteRefusal(key => SelectedAddress is { } address ? editor.WhyNotWritable(address, key) : null);
        }
        _parameters.EditField.Accepting += (_, e) =>
        {
            // Enter in the field: our command, not the dialog's default button.
            e.Handled = true;
            Guard(SubmitEdit);
        };

        _history = new HistoryView(_palette) { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Func(_ => Split.Body), Visible = false };

        _log = new LogPane(_palette, options.LogCapacity) { X = 0, Y = Pos.Bottom(_monitor), Width = Dim.Fill(), Height = Dim.Fill(1) };
        _statusLine = new LiveLabel(_palette) { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Height = 1 };
        _trends = new TrendsView(_palette, options.Trends, feed) { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Func(_ => Split.Body), Visible = false };
        Add(_monitor, _parameters, _trends, _history, _log, _statusLine);

        // Subscribe first, then take what is known: a failure the poller met before the window
        // existed (a missing port fails within milliseconds) is in the status, not in an event we saw.
        feed.PackUpdated += OnPackUpdated;
        feed.Event += OnBusEvent;
        foreach (var status in feed.AllStatus)
        {
            _latest[status.Address] = status;
        }
        app.Keyboard.KeyDown += OnApplicationKeyDown;
        _timer = app.AddTimeout(options.RefreshInterval, OnTimer);
        AppendLog(options.Editor is null ? $"dashboard on {feed.LinkName}; read-only, writes disabled" : $"dashboard on {feed.LinkName}");
        foreach (var reason in feed.AllStatus.Where(s => s.State != PackLinkState.Online).Select(s => s.LastError).OfType<string>().Distinct())
        {
            AppendLog($"ERROR {reason}");
        }
        Refresh();
    }

    public bool ShowingParameters => _parameters.Visible;

    /// <summary>The rows each pane gets on the terminal as it is now.</summary>
    public MonitorSplit Split => MonitorSplit.For(_app.Screen.Height > 0 ? _app.Screen.Height : 24);

    public CellGrid Cells => _cells;
    public byte? SelectedAddress => _addresses.Count == 0 ? null : _addresses[_selected];
    public Palette Palette => _palette;
    public LogPane Log => _log;
    public ParametersView Parameters => _parameters;
    public TrendsView Trends => _trends;
    public ListView SelectorList => _selector.List;
    public string StatusText => _statusLine.Text;

    /// <summary>Set when the user asked to quit (q, Ctrl+Q); the run loop is asked to stop.</summary>
    public bool QuitRequested { get; private set; }

    /// <summary>Completes when the edits in flight have finished (for shutdown and tests).</summary>
    public Task WhenIdle()
    {
        lock (_work)
        {
            return Task.WhenAll(_work);
        }
    }

    /// <summary>Applies what arrived since the last refresh and ticks the ages. UI thread.</summary>
    public void Refresh()
    {
        Interlocked.Exchange(ref _refreshQueued, 0);
        if (_closed)
        {
            return;
        }
        while (_pendingLog.TryDequeue(out var line))
        {
            _log.Append(line);
        }
        var now = _options.Clock.GetUtcNow();
        TakeLatest(now);

        var current = SelectedAddress is { } address ? _seen[address] : null;
        if (current is not null)
        {
            var old = StatusLine.IsOld(_feed.IsLinkDown, current, now, _options.StaleAfter);
            if (_forceRedraw || !ReferenceEquals(current, _shownStatus) || old != _shownOld)
            {
                _packPanel.Show(current, old);
                _cells.Show(current, old);
                _status.Show(current, old);
                _shownStatus = current;
                _shownOld = old;
                _forceRedraw = false;
            }
            if (_parameters.Visible)
            {
                _parameters.Show(current.Snapshot);
            }
            if (_trends.Visible)
            {
                _trends.Show(current.Address);
            }
        }
        var rate = current is not null && _rates.TryGetValue(current.Address, out var meter) ? meter.PerSecond(now) : null;
        var width = _app.Screen.Width > 0 ? _app.Screen.Width : 80;
        var hidden = ShowPanesThatFit();
        var (text, tone) = StatusLine.Describe(_feed.LinkName, _feed.IsLinkDown, current, now, _options.StaleAfter, rate, _options.ExtraStatus?.Invoke(), width, hidden);
        _statusLine.Show(text, tone);
        ShowSelector();
        _log.Render();
    }

    public void ToggleView()
    {
        var toParameters = !_parameters.Visible;
        _trends.Visible = false;
        _history.Visible = false;
        _parameters.Visible = toParameters;
        _monitor.Visible = !toParameters;
        _forceRedraw = true;
        Refresh();
        if (toParameters)
        {
            _parameters.Table.SetFocus();
        }
        else
        {
            _monitor.SetFocus();
        }
    }

    /// <summary>Trends ↔ monitor (from the parameters, to the trends).</summary>
    public void ToggleTrends()
    {
        var toTrends = !_trends.Visible;
        _trends.Visible = toTrends;
        _history.Visible = false;
        _parameters.Visible = false;
        _monitor.Visible = !toTrends;
        _forceRedraw = true;
        Refresh();
        (toTrends ? (View)_trends : _monitor).SetFocus();
    }

    public void ToggleTheme()
    {
        _palette = _palette == Palette.Dark ? Palette.Light : Palette.Dark;
        SetScheme(_palette.Window);
        _monitor.SetScheme(_palette.Window);
        _packPanel.UsePalette(_palette);
        _cells.UsePalette(_palette);
        _status.UsePalette(_palette);
        _selector.UsePalette(_palette);
        _parameters.UsePalette(_palette);
        _trends.UsePalette(_palette);
        _history.UsePalette(_palette);
        _log.UsePalette(_palette);
        _statusLine.UsePalette(_palette);
        SetNeedsDraw();
    }

    /// <summary>Selects the pack at <paramref name="address"/> if it is polled; false when it is not.</summary>
    public bool SelectAddress(byte address)
    {
        var index = _addresses.IndexOf(address);
        if (index < 0)
        {
            return false;
        }
        SelectPack(index);
        return true;
    }

    /// <summary>
    /// Stops the dashboard from outside (Ctrl+C on the process, SIGTERM): an open confirmation is
    /// cancelled first (its cancel outcome runs), then the window's loop ends. UI thread.
    /// </summary>
    public void RequestQuit()
    {
        _openConfirmation?.Cancel();
        // Any other dialog (help) must end too: its own run loop is on top, and while it runs the
        // window's never ends (a hung-up terminal left a dashboard spinning, deaf to SIGTERM).
        if (_app.TopRunnableView is Dialog other && !ReferenceEquals(other, _openConfirmation))
        {
            _app.RequestStop(other);
        }
        QuitRequested = true;
        _app.RequestStop(this);
    }

    public void SelectPack(int index)
    {
        if (index < 0 || index >= _addresses.Count || index == _selected)
        {
            return;
        }
        _selected = index;
        _forceRedraw = true;
        Refresh();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            _feed.PackUpdated -= OnPackUpdated;
            _feed.Event -= OnBusEvent;
            _app.Keyboard.KeyDown -= OnApplicationKeyDown;
            if (_timer is not null)
            {
                _app.RemoveTimeout(_timer);
            }
            _closing.Cancel();
            _closing.Dispose();
        }
        base.Dispose(disposing);
    }

    private void TakeLatest(DateTimeOffset now)
    {
        foreach (var (address, status) in _latest)
        {
            if (_seen.TryGetValue(address, out var known) && ReferenceEquals(known, status))
            {
                continue;
            }
            _seen[address] = status;
            _extremes.Observe(status);
            if (!_addresses.Contains(address))
            {
                _addresses.Add(address);
                _addresses.Sort();
                if (_addresses.Count > 1)
                {
                    // Keep the selected pack selected when another one appears before it.
                    _selected = SelectedIndexAfterInsert(known: _shownStatus?.Address);
                }
            }
            if (!_rates.TryGetValue(address, out var meter))
            {
                _rates[address] = meter = new RateMeter();
            }
            meter.Add(now, status.Counters.Requests);
        }
    }

    private int SelectedIndexAfterInsert(byte? known)
        => known is { } address && _addresses.IndexOf(address) is var index and >= 0 ? index : Math.Clamp(_selected, 0, _addresses.Count - 1);

    /// <summary>Hides the panes the terminal has no rows for; returns their names for the status line.</summary>
    private string? ShowPanesThatFit()
    {
        var split = Split;
        var statusFits = split.Status > 0;
        var compact = split.Status - 2 < 3;
        if (_status.Compact != compact)
        {
            _status.Compact = compact;
        }
        if (_status.Visible != statusFits && !_parameters.Visible)
        {
            _status.Visible = statusFits;
        }
        if (_log.Visible != split.Log > 0)
        {
            _log.Visible = split.Log > 0;
        }
        var hidden = split.Hidden(_addresses.Count > 1);
        return hidden.Count == 0 ? null : "hidden: " + string.Join(", ", hidden);
    }

    private void ShowSelector()
    {
        var several = _addresses.Count > 1;
        var visible = several && Split.Status > 0;
        if (visible != _selector.Visible)
        {
            _selector.Visible = visible;
            _status.Width = visible ? Dim.Percent(55) : Dim.Fill();
        }
        if (visible)
        {
            _selector.Show([.. _addresses.Select(a => _seen[a])], _selected);
        }
    }

    private void SelectFromList()
    {
        if (_selector.List.SelectedItem is { } index && index != _selected)
        {
            SelectPack(index);
        }
    }

    private bool OnTimer()
    {
        Guard(Refresh);
        return !_closed;
    }

    private void OnPackUpdated(object? sender, PackStatus status)
    {
        var changedState = !_latest.TryGetValue(status.Address, out var previous) || previous.State != status.State;
        _latest[status.Address] = status;
        // A change of state (first data, stale, offline) is shown at once; values wait for the timer.
        if (changedState && Interlocked.Exchange(ref _refreshQueued, 1) == 0)
        {
            Post(Refresh);
        }
    }

    private void OnBusEvent(object? sender, BusEvent busEvent)
        => _pendingLog.Enqueue((busEvent.Level == BusEventLevel.Info ? "" : busEvent.Level.ToString().ToUpperInvariant() + " ") + busEvent);

    private void AppendLog(string message) => _pendingLog.Enqueue($"{_options.Clock.GetLocalNow():HH:mm:ss} {message}");

    private void LogNow(string message)
    {
        AppendLog(message);
        while (_pendingLog.TryDequeue(out var line))
        {
            _log.Append(line);
        }
        _log.Render();
    }

    /// <summary>
    /// Seen before any view: only Ctrl+Q, which quits from everywhere in the window, the edit field and
    /// the write confirmation too.
    /// Every other key goes down to the focused view first (<see cref="OnKeyDownNotHandled"/>).
    /// </summary>
    private void OnApplicationKeyDown(object? sender, Key key)
    {
        if (key.Handled || _closed || key != Key.Q.WithCtrl)
        {
            return;
        }
        if (_openConfirmation is not null)
        {
            // Quit from the confirmation too, as help promises: it is cancelled first (nothing written).
            RequestQuit();
            key.Handled = true;
            return;
        }
        // Other dialogs (help) get their keys untouched.
        if (!ReferenceEquals(_app.TopRunnableView, this))
        {
            return;
        }
        Quit();
        key.Handled = true;
    }

    /// <summary>
    /// The dashboard's keys, offered only after the focused view declined the key. A text field takes
    /// every printable key as text, so nothing typed into it can switch packs, quit or open a view —
    /// whatever Terminal.Gui's idea of "focused" was after a dialog closed (it was wrong: issue 10).
    /// </summary>
    protected override bool OnKeyDownNotHandled(Key key)
    {
        if (key.Handled || _closed)
        {
            return key.Handled;
        }
        try
        {
            return HandleKey(key);
        }
        catch (Exception ex)
        {
            LogNow($"key {key}: {ex.Message}");
            return true;
        }
    }

    private bool HandleKey(Key key)
    {
        if (key == Key.Esc)
        {
            // Esc is Terminal.Gui's quit key; here it leaves the edit field or steps back, q quits.
            if (_parameters.EditField.HasFocus)
            {
                _parameters.Table.SetFocus();
                _parameters.ShowMessage(ParametersView.LeftFieldHint, Tone.Dim);
            }
            else if (_history.Visible)
            {
                HideHistory();
            }
            else if (_trends.Visible)
            {
                ToggleTrends();
            }
            else if (_parameters.Visible)
            {
                ToggleView();
            }
            return true;
        }
        if (_parameters.EditField.HasFocus)
        {
            // A key the field did not take (Ctrl+…, F-keys) is no command while typing there.
            return key == Key.F1 ? ShowHelpAndHandle() : false;
        }
        if (key == Key.F1)
        {
            return ShowHelpAndHandle();
        }
        if (key.IsCtrl || key.IsAlt)
        {
            return false;
        }
        if (key == Key.Enter && _history.Visible)
        {
            _history.ToggleDetail();
            return true;
        }
        switch (key.AsRune.Value)
        {
            case 't':
                ToggleView();
                return true;
            case 'e':
                if (!_parameters.Visible)
                {
                    ToggleView();
                }
                _parameters.EditField.SetFocus();
                return true;
            case 'q':
                Quit();
                return true;
            case 'g':
                ToggleTrends();
                return true;
            case 'w' when _trends.Visible:
                _trends.NextWindow();
                Refresh();
                return true;
            case 'd':
                ToggleTheme();
                return true;
            case 'c':
                _cells.ShowingSinceStart = !_cells.ShowingSinceStart;
                return true;
            case 'h':
                ShowHistory();
                return true;
            case '?':
                return ShowHelpAndHandle();
            case '[':
                SelectPack(_selected - 1);
                return true;
            case ']':
                SelectPack(_selected + 1);
                return true;
            case >= '0' and <= '9' when _addresses.Count > 1:
                // By address, as the DIP switches and --address name them, not by place in the list.
                var address = (byte)(key.AsRune.Value - '0');
                if (!SelectAddress(address))
                {
                    LogNow($"no pack {address} here (packs {string.Join(", ", _addresses)})");
                }
                return true;
            default:
                return false;
        }
    }

    private bool ShowHelpAndHandle()
    {
        ShowHelp();
        return true;
    }

    private void Quit()
    {
        QuitRequested = true;
        _app.RequestStop();
    }

    private void ShowHelp() => HelpDialog.Show(_app, _palette);

    private void SubmitEdit()
    {
        var editor = _options.Editor;
        if (editor is null)
        {
            _parameters.ShowMessage("writes are disabled (read-only mode)", Tone.Warning);
            return;
        }
        if (SelectedAddress is not { } address)
        {
            _parameters.ShowMessage("no pack to write to", Tone.Warning);
            return;
        }
        var parts = _parameters.EditField.Text.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2)
        {
            _parameters.ShowMessage("type: key value  (e.g. cell_high_voltage_alarm 3.50)", Tone.Warning);
            return;
        }
        var (key, value) = (parts[0], parts[1]);
        _parameters.ShowMessage($"checking {key} = {value} on pack {address} …", Tone.Normal);
        Track(PrepareAsync(editor, address, key, value));
    }

    private async Task PrepareAsync(IParameterEditor editor, byte address, string key, string value)
    {
        try
        {
            var preparation = await editor.PrepareAsync(address, key, value, _closing.Token).ConfigureAwait(false);
            Post(() => Confirm(editor, preparation));
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // The dashboard is closing: the edit is abandoned, and the write queue reports its own end.
        }
        catch (Exception ex)
        {
            Post(() => ShowOutcome(key, "failed", $"check of {key} failed: {ex.Message}", Tone.Alarm));
        }
    }

    private void Confirm(IParameterEditor editor, EditPreparation preparation)
    {
        if (preparation.IsRefused)
        {
            ShowOutcome(preparation.Key, "refused", $"refused: {preparation.Key}: {preparation.RefusalReason}", Tone.Alarm);
            return;
        }
        var message = preparation.PlanText ?? preparation.Key;
        if (preparation.Warnings.Count > 0)
        {
            message += "\n\n" + string.Join('\n', preparation.Warnings.Select(w => "! " + w));
        }
        message += $"\n\nWrite this to pack {preparation.Address}?";
        bool confirmed;
        using (var dialog = new ConfirmWriteDialog(_palette, message, _app.Screen.Width))
        {
            _openConfirmation = dialog;
            try
            {
                _app.Run(dialog);
            }
            finally
            {
                _openConfirmation = null;
            }
            confirmed = dialog.Confirmed;
        }
        if (!confirmed)
        {
            Cancelled(editor, preparation);
            return;
        }
        ShowOutcome(preparation.Key, "queued", $"queued: {preparation.PlanText}", Tone.Normal);
        Track(ApplyAsync(editor, preparation));
    }

    /// <summary>
    /// The one place a confirmation ends without a write: anything but a typed "yes", Esc, Ctrl+C,
    /// or the dashboard stopping while the dialog was open. Nothing was queued.
    /// </summary>
    private void Cancelled(IParameterEditor editor, EditPreparation preparation)
    {
        // Journaled as cancelled by the write pipeline (issue 10: every attempt has an outcome). Not
        // with the closing token: a dashboard stopped while the dialog was open (SIGTERM) cancels
        // here and must still record it; shutdown waits for tracked work (Dashboard.RunAsync).
        Track(editor.CancelledAsync(preparation, CancellationToken.None));
        ShowOutcome(preparation.Key, "cancelled", $"not written: {preparation.Key} (cancelled)", Tone.Normal);
    }

    private async Task ApplyAsync(IParameterEditor editor, EditPreparation preparation)
    {
        try
        {
            var result = await editor.ApplyAsync(preparation, _closing.Token).ConfigureAwait(false);
            var (state, tone) = result.Outcome switch
            {
                EditOutcome.Confirmed => ("confirmed", Tone.Good),
                EditOutcome.NoChange => ("no change", Tone.Normal),
                EditOutcome.NotConfirmed => ("not confirmed", Tone.Warning),
                EditOutcome.Refused => ("refused", Tone.Alarm),
                _ => ("failed", Tone.Alarm),
            };
            Post(() => ShowOutcome(preparation.Key, state, $"{state}: {preparation.Key}: {result.Message}", tone));
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // The dashboard is closing: the edit is abandoned, and the write queue reports its own end.
        }
        catch (Exception ex)
        {
            Post(() => ShowOutcome(preparation.Key, "failed", $"failed: {preparation.Key}: {ex.Message}", Tone.Alarm));
        }
    }

    private void ShowOutcome(string key, string state, string message, Tone tone)
    {
        _parameters.ShowWriteState(key, state, message, tone);
        LogNow(message);
    }

    private void Track(Task task)
    {
        lock (_work)
        {
            _work.RemoveAll(t => t.IsCompleted);
            _work.Add(task);
        }
    }

    /// <summary>Runs an action on the UI thread; after shutdown it is dropped (Invoke would throw).</summary>
    private void Post(Action action)
    {
        if (_closed)
        {
            return;
        }
        try
        {
            _app.Invoke(() => Guard(action));
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException || (ex is NullReferenceException && _closed))
        {
            // The application is gone (Terminal.Gui 2.5 may fail with a null reference once it is
            // torn down, so that one only while closing): nothing left to show it on.
        }
    }

    /// <summary>An exception in a handler is logged in the pane, never allowed to end the program.</summary>
    private void Guard(Action action)
    {
        if (_closed)
        {
            return;
        }
        try
        {
            action();
        }
        catch (Exception ex)
        {
            _log.Append($"{_options.Clock.GetLocalNow():HH:mm:ss} error: {ex.GetType().Name}: {ex.Message}");
            _log.Render();
        }
    }
}
