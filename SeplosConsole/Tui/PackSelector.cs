using System.Collections.ObjectModel;
using System.Globalization;
using SeplosConsole.Services;
using Terminal.Gui.Views;

namespace SeplosConsole.Tui;

/// <summary>
/// One summary line per pack (address, SOC, voltage, current, alarms); shown when more than one
/// address is polled. Lines are replaced in place so the selection stays. UI thread only.
/// </summary>
public sealed class PackSelector : FrameView
{
    private readonly ObservableCollection<string> _lines = [];
    private readonly ListView _list;

    public PackSelector(Palette palette)
    {
        Title = "Packs [ ] 0-9";
        SetScheme(palette.Window);
        // No type-ahead: digits choose a pack by address (the dashboard's keys), not the nth line starting with it.
        _list = new ListView { X = 0, Y = 0, Width = Terminal.Gui.ViewBase.Dim.Fill(), Height = Terminal.Gui.ViewBase.Dim.Fill(), KeystrokeNavigator = null };
        _list.SetSource(_lines);
        Add(_list);
    }

    public ListView List => _list;

    public void Show(IReadOnlyList<PackStatus> packs, int selected)
    {
        while (_lines.Count > packs.Count)
        {
            _lines.RemoveAt(_lines.Count - 1);
        }
        for (var i = 0; i < packs.Count; i++)
        {
            var line = Summary(packs[i]);
            if (i >= _lines.Count)
            {
                _lines.Add(line);
            }
            else if (_lines[i] != line)
            {
                _lines[i] = line;
            }
        }
        if (_list.SelectedItem != selected)
        {
            _list.SelectedItem = selected;
        }
    }

    public void UsePalette(Palette palette) => SetScheme(palette.Window);

    internal static string Summary(PackStatus status)
    {
        var pack = status.Snapshot;
        var problems = pack.ActiveProblems.Count();
        var state = status.State == PackLinkState.Online ? "" : " " + status.State.ToString().ToUpperInvariant();
        return string.Create(CultureInfo.InvariantCulture,
            $"{status.Address,2} {PackPanel.Plain(pack, "soc"),5}% {PackPanel.Plain(pack, "pack_voltage"),6}V {PackPanel.Plain(pack, "current"),7}A {(problems == 0 ? "ok" : $"{problems} alarm")}{state}");
    }
}
