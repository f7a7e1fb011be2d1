using Terminal.Gui.Drawing;
using Terminal.Gui.ViewBase;
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
    private bool _changed;

    public LogPane(Palette palette, int capacity)
    {
        Title = "Log";
        _capacity = Math.Max(1, capacity);
        CanFocus = false;
        SetScheme(palette.Window);
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

    /// <summary>Marks the pane for drawing when lines arrived; a resize redraws it anyway.</summary>
    public void Render()
    {
        if (_changed)
        {
            _changed = false;
            SetNeedsDraw();
        }
    }

    /// <summary>Draws the tail for the size the pane has now (known only here, after layout).</summary>
    protected override bool OnDrawingContent(DrawContext? context)
    {
        SetAttributeForRole(VisualRole.Normal);
        var width = Viewport.Width;
        var height = Viewport.Height;
        if (width <= 0 || height <= 0)
        {
            return true;
        }
        var rows = Tail(_lines, width, height);
        for (var row = 0; row < height; row++)
        {
            Move(0, row);
            var text = row < rows.Count ? rows[row] : "";
            AddStr(text.PadRight(width));
        }
        return true;
    }

    /// <summary>
    /// The screen rows of the newest lines, wrapped here rather than by the label: the label wraps
    /// after we chose which lines fit, so one long line pushed the newest out of sight. The newest
    /// line is always shown (its beginning, if it alone is taller than the pane).
    /// </summary>
    internal static IReadOnlyList<string> Tail(IEnumerable<string> lines, int width, int height)
    {
        var rows = new List<string>();
        foreach (var line in lines.Reverse())
        {
            var wrapped = Wrap(line, width);
            if (rows.Count + wrapped.Count > height)
            {
                if (rows.Count == 0)
                {
                    rows.AddRange(wrapped.Take(height));
                }
                break;
            }
            rows.InsertRange(0, wrapped);
        }
        return rows;
    }

    /// <summary>Breaks a line into rows of at most <paramref name="width"/>, at a space where one is near.</summary>
    internal static List<string> Wrap(string line, int width)
    {
        var rows = new List<string>();
        var rest = line;
        while (rest.Length > width)
        {
            var cut = rest.LastIndexOf(' ', width);
            if (cut < width / 2)
            {
                cut = width;
            }
            rows.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart();
        }
        rows.Add(rest);
        return rows;
    }

    public void UsePalette(Palette palette) => SetScheme(palette.Window);
}
