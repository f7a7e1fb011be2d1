using SeplosConsole.Seplos;
using Terminal.Gui.Views;

namespace SeplosConsole.Tui;

/// <summary>
/// Every SPA parameter of the map as table rows, read from the snapshot the source currently
/// holds. Swapping the snapshot and calling TableView.Update() refreshes in place, keeping the
/// selection (a new Table would reset it to row 0). UI thread only.
/// </summary>
public sealed class ParameterTableSource : ITableSource
{
    private static readonly string[] Headers = ["Key", "Value", "Unit", "Safe range", "Write", "Last write"];
    private readonly FieldDefinition[] _parameters = [.. SeplosMap.Parameters];
    private readonly Dictionary<string, string> _writeStates = new(StringComparer.OrdinalIgnoreCase);

    public PackSnapshot? Snapshot { get; set; }

    public IReadOnlyList<FieldDefinition> Parameters => _parameters;

    public object this[int row, int col]
    {
        get
        {
            var field = _parameters[row];
            return col switch
            {
                0 => field.Uncertain ? field.Key + " ?" : field.Key,
                1 => Snapshot is not null && Snapshot.Fields.TryGetValue(field.Key, out var reading) ? reading.Display : "--",
                2 => field.Unit,
                3 => Range(field),
                4 => field.Writable ? "yes" : "no",
                _ => _writeStates.GetValueOrDefault(field.Key, ""),
            };
        }
    }

    public string[] ColumnNames => Headers;
    public int Columns => Headers.Length;
    public int Rows => _parameters.Length;

    /// <summary>Records the latest write state of a key (queued, confirmed …) for the last column.</summary>
    public void SetWriteState(string key, string state)
    {
        if (SeplosMap.FindField(key) is { } field)
        {
            _writeStates[field.Key] = state;
        }
    }

    public int RowOf(string key) => SeplosMap.FindField(key) is { } field ? Array.IndexOf(_parameters, field) : -1;

    private static string Range(FieldDefinition field) => field.RangeText("..") ?? "";
}
