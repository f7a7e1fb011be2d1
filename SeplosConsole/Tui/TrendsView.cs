using SeplosConsole.Services;
using SeplosConsole.Services.Trends;
using Terminal.Gui.ViewBase;

namespace SeplosConsole.Tui;

/// <summary>
/// The dashboard's trends (key g): eight graphs of the selected pack over 10 min, 1 h or 24 h
/// (key w), from a <see cref="TrendStore"/> filled from the feed from the start, so the history
/// is there when the view is first opened. The time axis is the readings' own (a replay shows
/// the recorded day). Recomputed only when a reading arrived, the pack, the window or the width
/// changed. UI thread only.
/// </summary>
public sealed class TrendsView : View
{
    private static readonly (TrendMetric Metric, string Name)[] Graphs =
    [
        (TrendMetric.PackVoltage, "Voltage"),
        (TrendMetric.Current, "Current"),
        (TrendMetric.Power, "Power"),
        (TrendMetric.Soc, "SOC"),
        (TrendMetric.CellSpread, "Spread"),
        (TrendMetric.HighestTemperature, "Temp max"),
        (TrendMetric.HighestCell, "Cell max"),
        (TrendMetric.LowestCell, "Cell min"),
    ];

    private readonly IDisposable? _filling;
    private readonly LiveLabel _heading;
    private readonly LiveLabel _axis;
    private readonly TrendGraph[] _graphs;
    private (byte Address, TrendWindow Window, DateTimeOffset? Latest, int Width)? _shown;

    /// <param name="store">History filled by the caller; null: a store of its own, filled from <paramref name="feed"/> from now on.</param>
    public TrendsView(Palette palette, TrendStore? store, IPackFeed feed)
    {
        Store = store ?? new TrendStore();
        _filling = store is null ? Store.Attach(feed) : null;
        CanFocus = true;
        _heading = new LiveLabel(palette, Tone.Heading) { X = 0, Y = 0, Width = Dim.Fill(), Height = 1 };
        Add(_heading);
        _graphs = new TrendGraph[Graphs.Length];
        for (var i = 0; i < Graphs.Length; i++)
        {
            _graphs[i] = new TrendGraph(Graphs[i].Metric, Graphs[i].Name, palette)
            {
                X = i % 2 == 0 ? 0 : Pos.Percent(50),
                Y = 1 + (i / 2 * (TrendGraph.GraphRows + 1)),
                Width = Dim.Percent(50),
            };
            Add(_graphs[i]);
        }
        _axis = new LiveLabel(palette, Tone.Dim) { X = 0, Y = 1 + (Graphs.Length / 2 * (TrendGraph.GraphRows + 1)), Width = Dim.Fill(), Height = 1 };
        Add(_axis);
    }

    public TrendStore Store { get; }

    public TrendWindow Window { get; private set; } = TrendWindow.TenMinutes;

    /// <summary>10 min → 1 h → 24 h → 10 min.</summary>
    public void NextWindow()
    {
        Window = (TrendWindow)(((int)Window + 1) % Enum.GetValues<TrendWindow>().Length);
        _shown = null;
    }

    public void UsePalette(Palette palette)
    {
        _heading.UsePalette(palette);
        _axis.UsePalette(palette);
        foreach (var graph in _graphs)
        {
            graph.UsePalette(palette);
        }
    }

    public void Show(byte address)
    {
        var trend = Store.For(address);
        var width = Math.Max(20, Viewport.Width / 2);
        var key = (address, Window, trend?.Latest, width);
        if (_shown == key)
        {
            return;
        }
        _shown = key;
        var name = Window switch { TrendWindow.TenMinutes => "10 min", TrendWindow.OneHour => "1 h", _ => "24 h" };
        _heading.Show($"Trends of pack {address}, last {name}   (w: 10 min / 1 h / 24 h, g or Esc: back)", Tone.Heading);
        var end = trend?.Latest ?? DateTimeOffset.UtcNow;
        foreach (var graph in _graphs)
        {
            graph.Show(trend, Window, end, width);
        }
        // The time axis under each column of graphs: start of the window at the left, its end at the right.
        var chars = TrendGraph.GraphWidth(width);
        var from = TrendGraph.AxisTime(end - TrendStore.Length(Window), Window);
        var to = TrendGraph.AxisTime(end, Window);
        var half = new string(' ', TrendGraph.LabelWidth + 1) + from + new string(' ', Math.Max(1, chars - from.Length - to.Length)) + to;
        _axis.Show(half.PadRight(width) + half, Tone.Dim);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _filling?.Dispose();
        }
        base.Dispose(disposing);
    }
}
