using System.Globalization;
using SeplosConsole.Seplos;
using SeplosConsole.Services.History;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace SeplosConsole.Tui;

/// <summary>
/// The dashboard's `h` view: the selected pack's own history (HIA), downloaded with progress into
/// a scrollable table (time, events in red/yellow, pack V/I, min/max cell); Enter shows the
/// selected record's 16 cells and temperatures below the table. UI thread only, except
/// <see cref="StartAsync"/>, which hands each record to the UI thread through <c>post</c>.
/// </summary>
public sealed class HistoryView : View
{
    /// <summary>Width one cell takes in the record detail ("16:3.651 ").</summary>
    private const int CellWidth = 9;
    private static readonly int[] CellsPerLineChoices = [16, 8, 4];

    private readonly HistoryTableSource _source = new();
    private readonly TableView _table;
    private readonly LiveLabel _progress;
    private readonly LiveLabel _detail;
    private Palette _palette;

    public HistoryView(Palette palette)
    {
        _palette = palette;
        CanFocus = true;
        _progress = new LiveLabel(palette, Tone.Heading) { X = 0, Y = 0, Width = Dim.Fill(), Height = 1, Text = "History: press h to download" };
        _table = new TableView
        {
            X = 0,
            Y = 1,
            Width = Dim.Fill(),
            Height = Dim.Fill(),
            Table = _source,
            FullRowSelect = true,
            // Type-ahead search would swallow the dashboard's letter keys (platform notes).
            CollectionNavigator = null,
        };
        _table.Style.GetOrCreateColumnStyle(HistoryTableSource.EventsColumn).ColorGetter = args => EventsScheme(args.RowIndex);
        _detail = new LiveLabel(palette) { X = 0, Y = Pos.AnchorEnd(4), Width = Dim.Fill(), Height = 4, Visible = false };
        Add(_progress, _table, _detail);
        UsePalette(palette);
    }

    public TableView Table => _table;
    public HistoryTableSource Source => _source;
    public string ProgressText => _progress.Text;
    public string DetailText => _detail.Visible ? _detail.Text : "";
    /// <summary>A download is running or has finished for <see cref="Address"/>.</summary>
    public bool Started { get; private set; }
    public bool Downloading { get; private set; }
    public byte? Address { get; private set; }

    /// <summary>
    /// Downloads the history of <paramref name="address"/> with <paramref name="download"/>; every
    /// record and progress step reaches the view through <paramref name="post"/> (the UI thread).
    /// </summary>
    public async Task StartAsync(byte address, HistoryDownload download, Action<Action> post, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(download);
        ArgumentNullException.ThrowIfNull(post);
        Started = true;
        Downloading = true;
        Address = address;
        _source.Clear();
        _table.Update();
        HideDetail();
        _progress.Show($"History of pack {address}: asking for the newest record …", Tone.Heading);
        var end = "";
        var tone = Tone.Heading;
        try
        {
            await foreach (var record in download.ReadAsync(new HistoryDownloadOptions(), cancellationToken).ConfigureAwait(false))
            {
                var text = string.Create(CultureInfo.InvariantCulture,
                    $"History of pack {address}: {download.Downloaded}{(download.Total is { } total ? $"/{total}" : "")} records, {download.Downloaded / Math.Max(download.Elapsed.TotalSeconds, 1e-9):0.0}/s …  Esc back");
                post(() =>
                {
                    _source.Add(record);
                    _table.Update();
                    _progress.Show(text, Tone.Heading);
                });
            }
            end = download.Downloaded == 0
                ? $"History of pack {address}: the pack has no history records.  Esc back"
                : $"History of pack {address}: {download.Downloaded} records{(download.Missed > 0 ? $", {download.Missed} skipped by a repeated request" : "")}.  Enter: cells  h: again  Esc: back";
            tone = download.Missed > 0 ? Tone.Warning : Tone.Heading;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The token is the window's closing token: the dashboard is ending and the view will not
            // be drawn again, so there is no one to tell and nothing to post.
            return;
        }
        catch (Exception ex)
        {
            end = $"History of pack {address}: stopped after {download.Downloaded} records: {ex.Message}";
            tone = Tone.Alarm;
        }
        post(() =>
        {
            Downloading = false;
            _progress.Show(end, tone);
        });
    }

    /// <summary>Shows the selected record's cells and temperatures, or hides them when shown (Enter).</summary>
    public void ToggleDetail()
    {
        if (_detail.Visible)
        {
            HideDetail();
            return;
        }
        if (_source.Rows == 0)
        {
            return;
        }
        var row = Math.Clamp(_table.Value?.SelectedCell.Y ?? 0, 0, _source.Rows - 1);
        // 16, 8 or 4 cells a line, as many as the width takes (80 columns: 8, 60 columns: 4).
        var perLine = CellsPerLineChoices.First(n => n == 4 || n * CellWidth <= Viewport.Width);
        var text = Detail(_source.Records[row], perLine);
        var lines = text.Count(c => c == '\n') + 1;
        _detail.Show(text, Tone.Normal);
        _detail.Y = Pos.AnchorEnd(lines);
        _detail.Height = lines;
        _detail.Visible = true;
        _table.Height = Dim.Fill(lines);
    }

    /// <summary>Says why there is no history to download (listen mode never transmits).</summary>
    public void ShowUnavailable(string reason) => _progress.Show($"History: {reason}", Tone.Warning);

    public void UsePalette(Palette palette)
    {
        _palette = palette;
        SetScheme(palette.Window);
        _table.SetScheme(palette.Window);
        _progress.UsePalette(palette);
        _detail.UsePalette(palette);
    }

    /// <summary>The 16 cells, <paramref name="cellsPerLine"/> a line, the temperatures, and every event of one record.</summary>
    internal static string Detail(HistoryRecord record, int cellsPerLine = 8)
    {
        var cells = record.Cells.Select((v, i) => string.Create(CultureInfo.InvariantCulture, $"{i + 1,2}:{v:0.000}"))
            .Chunk(cellsPerLine).Select(line => string.Join(" ", line));
        var temperatures = string.Join(" ", record.CellTemperatures.Select((t, i) => string.Create(CultureInfo.InvariantCulture, $"T{i + 1} {t:0.0}")));
        var events = record.Events.Select(e => e.Key).ToList();
        return string.Join('\n', [
            .. cells,
            string.Create(CultureInfo.InvariantCulture, $"{temperatures}  env {record.EnvironmentTemperature:0.0}  power {record.PowerTemperature:0.0} °C"),
            "events: " + (events.Count == 0 ? "none" : string.Join(", ", events)),
        ]);
    }

    private void HideDetail()
    {
        _detail.Visible = false;
        _table.Height = Dim.Fill();
    }

    /// <summary>Protections and faults in red, alarms in yellow; other rows keep the table's colours.</summary>
    private Terminal.Gui.Drawing.Scheme? EventsScheme(int row)
    {
        if (row < 0 || row >= _source.Rows)
        {
            return null;
        }
        return HistoryTableSource.ToneOf(_source.Records[row]) switch
        {
            Tone.Alarm => _palette.For(Tone.Alarm),
            Tone.Warning => _palette.For(Tone.Warning),
            _ => null,
        };
    }
}

/// <summary>History records as table rows, newest first. UI thread only.</summary>
public sealed class HistoryTableSource : ITableSource
{
    /// <summary>Last, so the numbers stay on screen in a narrow terminal and the events take what is left.</summary>
    public const int EventsColumn = 5;
    private static readonly string[] Headers = ["Time", "V", "A", "Min cell", "Max cell", "Events"];
    private readonly List<HistoryRecord> _records = [];

    public IReadOnlyList<HistoryRecord> Records => _records;

    public object this[int row, int col]
    {
        get
        {
            var record = _records[row];
            var range = record.CellRange;
            return col switch
            {
                0 => record.DateText,
                1 => record.PackVoltage.ToString("0.00", CultureInfo.InvariantCulture),
                2 => record.Current.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture),
                3 => range is { } low ? low.Min.ToString("0.000", CultureInfo.InvariantCulture) : "--",
                4 => range is { } high ? high.Max.ToString("0.000", CultureInfo.InvariantCulture) : "--",
                _ => Events(record),
            };
        }
    }

    public string[] ColumnNames => Headers;
    public int Columns => Headers.Length;
    public int Rows => _records.Count;

    public void Add(HistoryRecord record) => _records.Add(record);

    public void Clear() => _records.Clear();

    /// <summary>Red for a protection or fault, yellow for an alarm, normal otherwise.</summary>
    public static Tone ToneOf(HistoryRecord record)
    {
        var problems = record.Problems.ToList();
        return problems.Any(p => p.Kind is FlagKind.Protection or FlagKind.Fault) ? Tone.Alarm
            : problems.Count > 0 ? Tone.Warning
            : Tone.Normal;
    }

    /// <summary>The problems first (they matter), then the states; switches are left out (every record has them).</summary>
    private static string Events(HistoryRecord record)
    {
        var shown = record.Problems.Concat(record.Events.Where(e => !e.IsProblem && e.Kind != FlagKind.Switch && e.Key != "history_recording"));
        return string.Join(", ", shown.Select(e => e.Name));
    }
}
