using Terminal.Gui.ViewBase;

namespace SeplosConsole.Tui;

/// <summary>The `h` view's wiring: which pack, when to download, and back to the monitor.</summary>
public sealed partial class DashboardWindow
{
    public HistoryView History => _history;
    public bool ShowingHistory => _history.Visible;

    /// <summary>
    /// Shows the history of the selected pack, downloading it the first time (or again when the
    /// view is already shown, or another pack is selected). UI thread.
    /// </summary>
    public void ShowHistory()
    {
        var wasShown = _history.Visible;
        _parameters.Visible = false;
        _trends.Visible = false;
        _monitor.Visible = false;
        _history.Visible = true;
        _history.Table.SetFocus();
        if (SelectedAddress is not { } address)
        {
            _history.ShowUnavailable("no pack has answered yet");
            return;
        }
        if (_options.History is not { } makeDownload)
        {
            _history.ShowUnavailable("listen mode never transmits, and the history must be asked for record by record; use `seplos history` on a port of its own");
            return;
        }
        if (_history.Downloading || (_history.Started && _history.Address == address && !wasShown))
        {
            return;
        }
        LogNow($"downloading the history of pack {address}");
        Track(_history.StartAsync(address, makeDownload(address), Post, _closing.Token));
    }

    private void HideHistory()
    {
        _history.Visible = false;
        _monitor.Visible = true;
        _forceRedraw = true;
        Refresh();
        _monitor.SetFocus();
    }
}
