using SeplosConsole.Seplos;
using Terminal.Gui.Views;

namespace SeplosConsole.Tui;

/// <summary>
/// Every SPA parameter of the map as table rows, then a "Switches" section with the SFA function
/// switches (read-only settings: which protections are enabled), read from the snapshot the
/// source currently holds. Swapping the snapshot and calling TableView.Update() refreshes in place, keeping the
/// selection (a new Table would reset it to row 0). UI thread only.
/// </summary>
public sealed class ParameterTableSource : ITableSource
{
    private static readonly string[] Headers = ["Key", "Value", "Unit", "Safe range", "Write", "Last write"];
    /// <summary>The row that heads the switches section (it holds no value).</summary>
    public const string SwitchesHeading = "— Switches (SFA, read-only) —";

    private readonly FieldDefinition[] _parameters = [.. SeplosMap.Parameters];
    private readonly FlagDefinition[] _switches = [.. SeplosMap.FlagsOf(BlockId.Sfa)];
    private readonly Dictionary<string, string> _writeStates = new(StringComparer.OrdinalIgnoreCase);

    public PackSnapshot? Snapshot { get; set; }

    /// <summary>Why a writable parameter cannot be written from here (a remote dashboard's bridge refuses it), or null.</summary>
    public Func<string, string?>? WriteRefusal { get; set; }

    public IReadOnlyList<FieldDefinition> Parameters => _parameters;

    public IReadOnlyList<FlagDefinition> Switches => _switches;

    public object this[int row, int col]
    {
        get
        {
            if (row >= _parameters.Length)
            {
                return SwitchCell(row - _parameters.Length, col);
            }
            var field = _parameters[row];
            return col switch
            {
                0 => field.Uncertain ? field.Key + " ?" : field.Key,
                1 => Snapshot is not null && Snapshot.Fields.TryGetValue(field.Key, out var reading) ? reading.Display : "--",
                2 => field.Unit,
                3 => Range(field),
                4 => field.Writable && WriteRefusal?.Invoke(field.Key) is null ? "yes" : "no",
                _ => _writeStates.GetValueOrDefault(field.Key, ""),
            };
        }
    }

    public string[] ColumnNames => Headers;
    public int Columns => Headers.Length;
    public int Rows => _parameters.Length + 1 + _switches.Length;

    private string SwitchCell(int index, int col)
    {
        if (index == 0)
        {
            return col == 0 ? SwitchesHeading : "";
        }
        var flag = _switches[index - 1];
        return col switch
        {
            0 => flag.Uncertain ? flag.Key + " ?" : flag.Key,
            1 => Snapshot?.Flag(flag.Key) is { } on ? (on ? "on" : "off") : "--",
            4 => "no",
            _ => "",
        };
    }

    /// <summary>Records the latest write state of a key (queued, confirmed …) for the last column.</summary>
    public void SetWriteState(string key, string state)
    {
        if (SeplosMap.FindField(key) is { } field)
        {
            _writeStates[field.Key] = state;
        }
    }

    public int RowOf(string key)
    {
        if (SeplosMap.FindField(key) is { } field)
        {
            return Array.IndexOf(_parameters, field);
        }
        return SeplosMap.FindFlag(key) is { Block: BlockId.Sfa } flag ? _parameters.Length + 1 + Array.IndexOf(_switches, flag) : -1;
    }

    private static string Range(FieldDefinition field) => field.RangeText("..") ?? "";
}
