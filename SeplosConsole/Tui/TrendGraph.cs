using System.Globalization;
using System.Text;
using SeplosConsole.Seplos;
using SeplosConsole.Services.Trends;
using Terminal.Gui.ViewBase;

namespace SeplosConsole.Tui;

/// <summary>
/// One metric over a window: a title line with now / min / max, then rows of braille dots (2 × 4
/// per character), each dot column spanning the min to the max of its slice of time, with the
/// values of the top and bottom rows written at the left. UI thread only.
/// </summary>
public sealed class TrendGraph : View
{
    public const int LabelWidth = 8;
    public const int GraphRows = 3;

    private readonly TrendMetric _metric;
    private readonly string _name;
    private readonly FieldDefinition _field;
    private readonly LiveLabel _title;
    private readonly LiveLabel[] _rows = new LiveLabel[GraphRows];

    public TrendGraph(TrendMetric metric, string name, Palette palette)
    {
        _metric = metric;
        _name = name;
        _field = SeplosMap.FindField(TrendStore.FieldKey(metric)) ?? throw new InvalidOperationException($"the map has no {TrendStore.FieldKey(metric)}");
        Height = GraphRows + 1;
        CanFocus = false;
        _title = new LiveLabel(palette, Tone.Heading) { X = 0, Y = 0, Width = Dim.Fill(), Height = 1 };
        Add(_title);
        for (var i = 0; i < GraphRows; i++)
        {
            _rows[i] = new LiveLabel(palette, Tone.Good) { X = 0, Y = i + 1, Width = Dim.Fill(), Height = 1 };
            Add(_rows[i]);
        }
    }

    public void UsePalette(Palette palette)
    {
        _title.UsePalette(palette);
        foreach (var row in _rows)
        {
            row.UsePalette(palette);
        }
    }

    /// <summary>Braille characters the graph has across, for a width of <paramref name="width"/>.</summary>
    public static int GraphWidth(int width) => Math.Max(4, width - LabelWidth - 1);

    /// <summary>Draws the metric of <paramref name="trend"/> (null: nothing read yet) over the window ending at <paramref name="end"/>.</summary>
    public void Show(PackTrend? trend, TrendWindow window, DateTimeOffset end, int width)
    {
        var chars = GraphWidth(width);
        var columns = trend?.Columns(_metric, window, end, chars * 2) ?? [];
        var present = columns.Where(c => c.HasValue).ToList();
        var now = trend?.Now(_metric) ?? float.NaN;
        var unit = _field.Unit.Length > 0 ? " " + _field.Unit : "";
        if (present.Count == 0)
        {
            _title.Show($"{_name}: no readings yet", Tone.Heading);
            foreach (var row in _rows)
            {
                row.Show("", Tone.Dim);
            }
            return;
        }
        var low = present.Min(c => c.Min);
        var high = present.Max(c => c.Max);
        // Fits half of an 80-column screen: "Power 1291.6 W min 1286.6 max 1308.1". Narrower (60
        // columns), it ran into the graph beside it; min and max are the axis labels anyway, so they go.
        var title = $"{_name} {Format(now)}{unit} min {Format(low)} max {Format(high)}";
        _title.Show(title.Length < width ? title : $"{_name} {Format(now)}{unit}", Tone.Heading);
        var lines = Render(columns, low, high, chars);
        for (var i = 0; i < GraphRows; i++)
        {
            var label = i == 0 ? Format(high) : i == GraphRows - 1 ? Format(low) : "";
            _rows[i].Show($"{label,LabelWidth}┤{lines[i]}", Tone.Good);
        }
    }

    private string Format(float value) => float.IsNaN(value) ? "--" : _field.Format(value);

    /// <summary>
    /// The braille rows: dot column x lights every dot between its slice's min and max, so a noisy
    /// current shows as a band and a step as a jump. A flat line sits in the middle.
    /// </summary>
    public static string[] Render(IReadOnlyList<TrendColumn> columns, float low, float high, int chars)
    {
        const int dotsPerRow = 4;
        var dots = GraphRows * dotsPerRow;
        var cells = new int[GraphRows, chars];
        var span = high - low;
        int DotOf(float value) => span <= 0 ? dots / 2 : (int)Math.Round((value - low) / span * (dots - 1));
        for (var x = 0; x < Math.Min(columns.Count, chars * 2); x++)
        {
            var column = columns[x];
            if (!column.HasValue)
            {
                continue;
            }
            for (var dot = DotOf(column.Min); dot <= DotOf(column.Max); dot++)
            {
                // Dot 0 is the bottom; rows are drawn top first.
                var fromTop = dots - 1 - dot;
                var row = fromTop / dotsPerRow;
                cells[row, x / 2] |= BrailleBit(x % 2, fromTop % dotsPerRow);
            }
        }
        var lines = new string[GraphRows];
        var text = new StringBuilder(chars);
        for (var row = 0; row < GraphRows; row++)
        {
            text.Clear();
            for (var c = 0; c < chars; c++)
            {
                text.Append(cells[row, c] == 0 ? ' ' : (char)(0x2800 + cells[row, c]));
            }
            lines[row] = text.ToString();
        }
        return lines;
    }

    /// <summary>The Unicode braille dot for a column (0 left, 1 right) and a row (0 top … 3 bottom) of a character.</summary>
    private static int BrailleBit(int column, int row) => (column, row) switch
    {
        (0, 3) => 0x40,
        (1, 3) => 0x80,
        (0, _) => 1 << row,
        _ => 0x08 << row,
    };

    public static string AxisTime(DateTimeOffset at, TrendWindow window)
        => at.ToLocalTime().ToString(window == TrendWindow.TenMinutes ? "HH:mm:ss" : "ddd HH:mm", CultureInfo.InvariantCulture);
}
