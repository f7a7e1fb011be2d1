using Terminal.Gui.Views;

namespace SeplosConsole.Tui;

/// <summary>
/// What happened, newest last: bus events, write results, handler errors. Keeps a bounded
/// number of lines and shows the tail that fits. UI thread only.
/// </summary>
public sealed class LogPane : FrameView
{
    private readonly Queue<string> _lines = new();
    private readonly int _capacity;
    private readonly LiveLabel _text;
    private int _shownHeight = -1;
    private bool _changed;

    public LogPane(Palette palette, int capacity)
    {
        Title = "Log";
        _capacity = Math.Max(1, capacity);
        CanFocus = false;
        SetScheme(palette.Window);
        _text = new LiveLabel(palette) { X = 0, Y = 0, Width = Terminal.Gui.ViewBase.Dim.Fill(), Height = Terminal.Gui.ViewBase.Dim.Fill() };
        Add(_text);
    }

    public IReadOnlyCollection<string> Lines => _lines;

    public void Append(string line)
    {
        _lines.Enqueue(line.ReplaceLineEndings(" "));
        while (_lines.Count > _capacity)
        {
            _lines.Dequeue();
        }
        _changed = true;
    }

    /// <summary>Redraws the tail if lines arrived or the pane changed height (a resize).</summary>
    public void Render()
    {
        var height = Math.Max(1, Viewport.Height);
        if (!_changed && height == _shownHeight)
        {
            return;
        }
        _changed = false;
        _shownHeight = height;
        _text.Show(string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - height))), _text.Tone);
    }

    public void UsePalette(Palette palette)
    {
        SetScheme(palette.Window);
        _text.UsePalette(palette);
    }
}
