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
    /// <summary>Rows of the monitor above the log: fits 80×24 with a 2-line log and the status line.</summary>
    public const int BodyHeight = 19;

    private const int LeftWidth = 38;
    private const int TopHeight = 12;

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
    private readonly TemperaturePanel _temperatures;
    private readonly StatusPanel _status;
    private readonly PackSelector _selector;
    private readonly ParametersView _parameters;
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

        _monitor = new View { X = 0, Y = 0, Width = Dim.Fill(), Height = BodyHeight, CanFocus = true };
        _packPanel = new PackPanel(_palette) { X = 0, Y = 0, Width = LeftWidth, Height = TopHeight };
        _cells = new CellGrid(_palette) { X = LeftWidth, Y = 0, Width = Dim.Fill(), Height = 7 };
        _temperatures = new TemperaturePanel(_palette) { X = LeftWidth, Y = 7, Width = Dim.Fill(), Height = 5 };
        _status = new StatusPanel(_palette) { X = 0, Y = TopHeight, Width = Dim.Fill(), Height = StatusPanel.ProblemLines + 4 };
        _selector = new PackSelector(_palette) { X = Pos.Right(_status), Y = TopHeight, Width = Dim.Fill(), Height = StatusPanel.ProblemLines + 4, Visible = false };
        _selector.List.ValueChanged += (_, _) => Guard(() => SelectFromList());
        _monitor.Add(_packPanel, _cells, _temperatures, _status, _selector);

        _parameters = new ParametersView(_palette, options.Editor is not null)
        {
            X = 0,
            Y = 0,
            Width = Dim.Fill(),
            Height = BodyHeight,
            Visible = false,
        };
        _parameters.EditField.Accepting += (_, e) =>
        {
            // Enter in the field: our command, not the dialog's default button.
            e.Handled = true;
            Guard(SubmitEdit);
        };

        _history = new HistoryView(_palette) { X = 0, Y = 0, Width = Dim.Fill(), Height = BodyHeight, Visible = false };

        _log = new LogPane(_palette, options.LogCapacity) { X = 0, Y = Pos.Bottom(_monitor), Width = Dim.Fill(), Height = Dim.Fill(1) };
        _statusLine = new LiveLabel(_palette) { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Height = 1 };
        Add(_monitor, _parameters, _history, _log, _statusLine);

        foreach (var status in feed.AllStatus)
        {
            _latest[status.Address] = status;
        }
        feed.PackUpdated += OnPackUpdated;
        feed.Event += OnBusEvent;
        app.Keyboard.KeyDown += OnKeyDown;
        _timer = app.AddTimeout(options.RefreshInterval, OnTimer);
        AppendLog(options.Editor is null ? $"dashboard on {feed.LinkName}; read-only, writes disabled" : $"dashboard on {feed.LinkName}");
        Refresh();
    }

    public bool ShowingParameters => _parameters.Visible;
    public byte? SelectedAddress => _addresses.Count == 0 ? null : _addresses[_selected];
    public Palette Palette => _palette;
    public LogPane Log => _log;
    public ParametersView Parameters => _parameters;
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
                _temperatures.Show(current, old);
                _status.Show(current, old);
                _shownStatus = current;
                _shownOld = old;
                _forceRedraw = false;
            }
            if (_parameters.Visible)
            {
                _parameters.Show(current.Snapshot);
            }
        }
        var rate = current is not null && _rates.TryGetValue(current.Address, out var meter) ? meter.PerSecond(now) : null;
        var (text, tone) = StatusLine.Describe(_feed.LinkName, _feed.IsLinkDown, current, now, _options.StaleAfter, rate);
        if (_options.ExtraStatus?.Invoke() is { Length: > 0 } extra)
        {
            text = $"{text} │ {extra}";
        }
        _statusLine.Show(text, tone);
        ShowSelector();
        _log.Render();
    }

    public void ToggleView()
    {
        var toParameters = !_parameters.Visible;
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

    public void ToggleTheme()
    {
        _palette = _palette == Palette.Dark ? Palette.Light : Palette.Dark;
        SetScheme(_palette.Window);
        _monitor.SetScheme(_palette.Window);
        _packPanel.UsePalette(_palette);
        _cells.UsePalette(_palette);
        _temperatures.UsePalette(_palette);
        _status.UsePalette(_palette);
        _selector.UsePalette(_palette);
        _parameters.UsePalette(_palette);
        _history.UsePalette(_palette);
        _log.UsePalette(_palette);
        _statusLine.UsePalette(_palette);
        SetNeedsDraw();
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
            _app.Keyboard.KeyDown -= OnKeyDown;
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

    private void ShowSelector()
    {
        var several = _addresses.Count > 1;
        if (several != _selector.Visible)
        {
            _selector.Visible = several;
            _status.Width = several ? Dim.Percent(55) : Dim.Fill();
        }
        if (several)
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

    private void OnKeyDown(object? sender, Key key)
    {
        // Dialogs (confirmation, help) get their keys untouched.
        if (key.Handled || _closed || !ReferenceEquals(_app.TopRunnableView, this))
        {
            return;
        }
        try
        {
            key.Handled = HandleKey(key);
        }
        catch (Exception ex)
        {
            LogNow($"key {key}: {ex.Message}");
            key.Handled = true;
        }
    }

    private bool HandleKey(Key key)
    {
        if (key == Key.Q.WithCtrl)
        {
            Quit();
            return true;
        }
        // Letters typed in the edit field are text, not commands (`t` in "pulse_time").
        if (_app.Navigation?.GetFocused() is TextField)
        {
            if (key == Key.Esc)
            {
                _parameters.Table.SetFocus();
                return true;
            }
            return false;
        }
        if (key == Key.F1)
        {
            ShowHelp();
            return true;
        }
        if (key == Key.Esc)
        {
            // Esc is Terminal.Gui's quit key; here it only steps back, q quits.
            if (_history.Visible)
            {
                HideHistory();
            }
            else if (_parameters.Visible)
            {
                ToggleView();
            }
            return true;
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
            case 'd':
                ToggleTheme();
                return true;
            case 'h':
                ShowHistory();
                return true;
            case '?':
                ShowHelp();
                return true;
            case '[':
                SelectPack(_selected - 1);
                return true;
            case ']':
                SelectPack(_selected + 1);
                return true;
            case >= '1' and <= '9' when _addresses.Count > 1:
                SelectPack(key.AsRune.Value - '1');
                return true;
            default:
                return false;
        }
    }

    private void Quit()
    {
        QuitRequested = true;
        _app.RequestStop();
    }

    private void ShowHelp()
        => MessageBox.Query(_app, "Keys", string.Join('\n',
            "t        monitor / parameters",
            "h        pack history (Enter: a record's cells)",
            "e        edit a parameter: key value, Enter",
            "Tab      complete a parameter key",
            "Esc      leave the edit field / back to monitor",
            "[ ] 1-9  choose the pack (several packs)",
            "d        light / dark theme",
            "? F1     this help",
            "q Ctrl+Q quit"), "_OK");

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
        // "_No" is last, so it is the default: Enter or Esc never writes.
        var answer = MessageBox.Query(_app, "Confirm write", message, "_Yes", "_No");
        if (answer != 0)
        {
            Track(editor.CancelledAsync(preparation, _closing.Token));
            ShowOutcome(preparation.Key, "cancelled", $"not written: {preparation.Key} (cancelled)", Tone.Normal);
            return;
        }
        ShowOutcome(preparation.Key, "queued", $"queued: {preparation.PlanText}", Tone.Normal);
        Track(ApplyAsync(editor, preparation));
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
