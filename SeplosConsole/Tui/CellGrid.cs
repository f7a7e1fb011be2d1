using System.Globalization;
using System.Text;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using Terminal.Gui.Drawing;
using Terminal.Gui.ViewBase;

namespace SeplosConsole.Tui;

/// <summary>
/// Up to 16 cells, each "NN V.VVV" coloured against the pack average and the alarm thresholds, with
/// "^" on the highest, "v" on the lowest and "B" on a cell being balanced. Where there is room, each
/// cell also gets a bar between the pack's own cell under- and over-voltage PROTECTION thresholds
/// (SPA cell_under_voltage_protection, cell_over_voltage_protection: the window the BMS allows at
/// all, so a bar near an end is a cell near a cut-off), and the lowest and highest value seen since
/// the dashboard started. The grid reflows to the panel's size (4, 3, 2 or 1 columns); rows it
/// cannot show are counted in the title, never dropped silently. Draws only when something shown
/// changed. UI thread only.
/// </summary>
public sealed class CellGrid : DashboardPanel
{
    public const int MaxCells = 16;

    /// <summary>"NN V.VVV^B": the part of a cell that is always shown.</summary>
    public const int BaseWidth = 10;

    /// <summary>"NN 3.301-3.330": a cell in the min–max view.</summary>
    public const int SinceStartWidth = 14;

    private const int MinBarWidth = 5;
    private const int MinMaxWidth = 12;
    private const string Eighths = " ▏▎▍▌▋▊▉";

    private Cell[] _cells = [];
    private string _summary = "no cell voltages yet";
    private Tone _summaryTone = Tone.Dim;
    private (double Low, double High, bool FromPack) _scale;
    private (string Summary, Tone Tone, (double Low, double High, bool FromPack) Scale)? _drawnState;
    private Cell[] _drawnCells = [];

    public CellGrid(Palette palette, CellExtremes? extremes = null) : base("Cells", palette)
    {
        Extremes = extremes ?? new CellExtremes();
    }

    /// <summary>Min and max per cell since start; the window feeds it with every reading.</summary>
    public CellExtremes Extremes { get; }

    /// <summary>
    /// True shows each cell's lowest and highest value since start instead of the value and bar
    /// (key c): the way to see them where the panel is too narrow for both (80×24).
    /// </summary>
    public bool ShowingSinceStart
    {
        get;
        set
        {
            if (field != value)
            {
                field = value;
                UpdateTitle(LastLayout);
                SetNeedsDraw();
            }
        }
    }

    /// <summary>How the last draw laid the cells out (for tests and the hidden-cells mark).</summary>
    public GridLayout LastLayout { get; private set; }

    public override void Show(PackStatus status, bool old)
    {
        var pack = status.Snapshot;
        var count = Math.Clamp(pack.CellCount, 0, MaxCells);
        var volts = Enumerable.Range(1, MaxCells).Select(i => pack.Value($"cell_{i}")).ToArray();
        var present = volts.Take(count).Where(v => v is > 0).Select(v => v!.Value).ToArray();
        var average = present.Length > 0 ? present.Average() : 0;
        var highest = present.Length > 0 ? present.Max() : double.NaN;
        var lowest = present.Length > 0 ? present.Min() : double.NaN;
        var highIndex = Array.FindIndex(volts, v => v == highest);
        var lowIndex = Array.FindIndex(volts, v => v == lowest);
        var spreadIsZero = highest == lowest;
        _scale = Scale(pack);

        var cells = new Cell[count];
        for (var i = 0; i < count; i++)
        {
            var number = i + 1;
            if (volts[i] is not { } v || v <= 0)
            {
                cells[i] = new Cell(number, null, ' ', ' ', Tone.Dim, null);
                continue;
            }
            var mark = spreadIsZero ? ' ' : i == highIndex ? '^' : i == lowIndex ? 'v' : ' ';
            var balancing = pack.Flag($"cell_{number}_balancing") == true ? 'B' : ' ';
            cells[i] = new Cell(number, v, mark, balancing, Aged(Tones.ForCell(pack, number, v, average), old), Extremes.Of(status.Address, number));
        }
        _cells = cells;

        if (present.Length == 0)
        {
            (_summary, _summaryTone) = ("no cell voltages yet", Tone.Dim);
        }
        else
        {
            var spread = pack.Value("cell_delta") ?? (highest - lowest);
            _summary = string.Create(CultureInfo.InvariantCulture, $"avg {average:0.000} V  delta {spread * 1000:0} mV  ^max vmin Bbal");
            _summaryTone = Aged(spread > 0.1 ? Tone.Warning : Tone.Normal, old);
        }
        SetNeedsDrawIfChanged();
    }

    /// <summary>
    /// Chooses columns and what each cell shows for a panel of <paramref name="width"/> × <paramref name="height"/>:
    /// the fewest columns whose rows fit (wider cells have room for the bar and min–max), keeping a
    /// line for the summary when there is one to spare.
    /// </summary>
    /// <param name="entryWidth">The narrowest a cell may be: <see cref="BaseWidth"/>, or <see cref="SinceStartWidth"/> for min–max.</param>
    public static GridLayout Plan(int cells, int width, int height, int entryWidth = BaseWidth)
    {
        if (cells == 0 || width < entryWidth || height < 1)
        {
            return new GridLayout(0, 0, 0, 0, 0, false, false);
        }
        foreach (var columns in new[] { 1, 2, 3, 4 })
        {
            var rows = (cells + columns - 1) / columns;
            if (rows > height)
            {
                continue;
            }
            // A blank between columns when there is room; "NN V.VVV^B" ends in blanks mostly anyway.
            var gap = (width - (columns - 1)) / columns >= entryWidth ? 1 : 0;
            var cellWidth = (width - gap * (columns - 1)) / columns;
            if (cellWidth < entryWidth)
            {
                continue;
            }
            var bar = cellWidth - BaseWidth - 1 >= MinBarWidth;
            var minMax = bar && cellWidth - BaseWidth - 1 - MinMaxWidth >= MinBarWidth;
            return new GridLayout(columns, rows, cellWidth, gap, Math.Min(cells, columns * rows), bar, minMax);
        }
        // Too small for all of them: as many as fit, the rest counted in the title.
        var most = Math.Clamp(width / entryWidth, 1, 4);
        return new GridLayout(most, height, width / most, 0, Math.Min(cells, most * height), false, false);
    }

    protected override bool OnDrawingContent(DrawContext? context)
    {
        var width = Viewport.Width;
        var height = Viewport.Height;
        if (width <= 0 || height <= 0)
        {
            return true;
        }
        var layout = Plan(_cells.Length, width, Math.Max(1, _cells.Length > 0 && height > 4 ? height - 1 : height), ShowingSinceStart ? SinceStartWidth : BaseWidth);
        LastLayout = layout;
        UpdateTitle(layout);
        var barWidth = layout.ShowsMinMax ? layout.CellWidth - BaseWidth - 2 - MinMaxWidth : layout.CellWidth - BaseWidth - 1;
        ClearRows(width, height);
        for (var i = 0; i < layout.Shown; i++)
        {
            var cell = _cells[i];
            var row = layout.Columns == 1 ? i : i % layout.Rows;
            var column = layout.Columns == 1 ? 0 : i / layout.Rows;
            var x = column * (layout.CellWidth + layout.Gap);
            SetAttribute(Palette.For(cell.Tone).Normal);
            AddStr(x, row, ShowingSinceStart ? SinceStart(cell) : Entry(cell, layout.ShowsBar ? barWidth : 0, layout.ShowsMinMax));
        }
        var free = height - layout.Rows;
        if (free >= 1)
        {
            SetAttribute(Palette.For(_summaryTone).Normal);
            AddStr(0, layout.Rows, TextFit.Ellipsis(_summary, width));
        }
        if (free >= 2 && ShowingSinceStart)
        {
            SetAttribute(Palette.For(Tone.Dim).Normal);
            AddStr(0, layout.Rows + 1, TextFit.Ellipsis("min-max since start; c: back to the bars", width));
        }
        else if (free >= 2 && layout.ShowsBar)
        {
            SetAttribute(Palette.For(Tone.Dim).Normal);
            AddStr(0, layout.Rows + 1, TextFit.Ellipsis(Legend(layout.ShowsMinMax), width));
        }
        return true;
    }

    private void ClearRows(int width, int height)
    {
        SetAttribute(Palette.For(Tone.Normal).Normal);
        var blank = new string(' ', width);
        for (var row = 0; row < height; row++)
        {
            AddStr(0, row, blank);
        }
    }

    private void UpdateTitle(GridLayout layout)
    {
        var hidden = _cells.Length - layout.Shown;
        var name = ShowingSinceStart ? "Cells min-max" : "Cells";
        var title = hidden > 0 ? $"{name} ({hidden} more: enlarge)" : name;
        if (Title != title)
        {
            // The frame is drawn before the content: the new title shows on the next pass.
            Title = title;
            SetNeedsDraw();
        }
    }

    private string Legend(bool minMax) => string.Create(CultureInfo.InvariantCulture,
        $"bar {_scale.Low:0.00}..{_scale.High:0.00} V {(_scale.FromPack ? "UV..OV prot." : "(no SPA yet)")}{(minMax ? "; min-max since start" : "; c: min-max")}");

    /// <summary>One cell as text: "NN V.VVV^B", then the bar and min–max when they are shown.</summary>
    internal string Entry(Cell cell, int barWidth, bool minMax)
    {
        if (cell.Volts is not { } volts)
        {
            return $"{cell.Number,2} --";
        }
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{cell.Number,2} {volts:0.000}{cell.Mark}{cell.Balancing}"));
        if (barWidth > 0)
        {
            text.Append(' ').Append(Bar(volts, _scale.Low, _scale.High, barWidth));
        }
        if (minMax && cell.Seen is { } seen)
        {
            text.Append(string.Create(CultureInfo.InvariantCulture, $" {seen.Min:0.000}-{seen.Max:0.000}"));
        }
        return text.ToString();
    }

    /// <summary>One cell in the min–max view: "NN 3.301-3.330", "NN --" before its first reading.</summary>
    internal static string SinceStart(Cell cell) => cell.Seen is { } seen
        ? string.Create(CultureInfo.InvariantCulture, $"{cell.Number,2} {seen.Min:0.000}-{seen.Max:0.000}")
        : $"{cell.Number,2} --";

    /// <summary>A bar of <paramref name="width"/> characters in eighths, empty at <paramref name="low"/>, full at <paramref name="high"/>.</summary>
    internal static string Bar(double volts, double low, double high, int width)
    {
        var fraction = high > low ? Math.Clamp((volts - low) / (high - low), 0, 1) : 0;
        var eighths = (int)Math.Round(fraction * width * 8);
        var full = eighths / 8;
        var text = new StringBuilder(width).Append('█', full);
        if (full < width)
        {
            text.Append(eighths % 8 == 0 ? '·' : Eighths[eighths % 8]);
            text.Append('·', width - full - 1);
        }
        return text.ToString();
    }

    /// <summary>The pack's own protection window from SPA, or the map's safe range until SPA is read.</summary>
    private static (double Low, double High, bool FromPack) Scale(PackSnapshot pack)
    {
        if (pack.Value("cell_under_voltage_protection") is { } low && pack.Value("cell_over_voltage_protection") is { } high && low > 0 && high > low)
        {
            return (low, high, true);
        }
        var under = SeplosMap.FindField("cell_under_voltage_protection");
        var over = SeplosMap.FindField("cell_over_voltage_protection");
        return (under?.Min ?? 2.5, over?.Max ?? 3.65, false);
    }

    /// <summary>
    /// Compares what is shown with what was last drawn, field by field (Cell is a record struct): this
    /// runs on every reading, and formatting all 16 cells into a key string only to compare it was the
    /// costliest part of a reading that changed nothing.
    /// </summary>
    private void SetNeedsDrawIfChanged()
    {
        var drawn = (_summary, _summaryTone, _scale);
        if (drawn != _drawnState || !_cells.AsSpan().SequenceEqual(_drawnCells))
        {
            _drawnState = drawn;
            _drawnCells = _cells;
            SetNeedsDraw();
        }
    }

    internal readonly record struct Cell(int Number, double? Volts, char Mark, char Balancing, Tone Tone, (double Min, double Max)? Seen);
}

/// <param name="Columns">Columns of cells; cells run down each column.</param>
/// <param name="Rows">Rows of cells.</param>
/// <param name="CellWidth">Characters per cell.</param>
/// <param name="Gap">Blanks between columns.</param>
/// <param name="Shown">Cells that fit; the rest are counted in the panel's title.</param>
public readonly record struct GridLayout(int Columns, int Rows, int CellWidth, int Gap, int Shown, bool ShowsBar, bool ShowsMinMax);
