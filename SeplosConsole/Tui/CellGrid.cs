using System.Globalization;
using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Tui;

/// <summary>
/// Up to 16 cell voltages, four to a row, each coloured against the pack average and the alarm
/// thresholds; "^" marks the highest cell, "v" the lowest, "B" a cell being balanced.
/// </summary>
public sealed class CellGrid : DashboardPanel
{
    public const int Columns = 4;
    private const int CellWidth = 10;
    private readonly LiveLabel[] _cells = new LiveLabel[16];
    private readonly LiveLabel _summary;

    public CellGrid(Palette palette) : base("Cells", palette)
    {
        for (var i = 0; i < _cells.Length; i++)
        {
            _cells[i] = AddLine((i % Columns) * CellWidth, i / Columns, CellWidth);
        }
        _summary = AddLine(0, 16 / Columns);
    }

    public override void Show(PackStatus status, bool old)
    {
        var pack = status.Snapshot;
        var count = pack.CellCount;
        var volts = Enumerable.Range(1, 16).Select(i => pack.Value($"cell_{i}")).ToArray();
        var present = volts.Take(count).Where(v => v is > 0).Select(v => v!.Value).ToArray();
        var average = present.Length > 0 ? present.Average() : 0;
        var highest = present.Length > 0 ? present.Max() : double.NaN;
        var lowest = present.Length > 0 ? present.Min() : double.NaN;
        var highIndex = Array.FindIndex(volts, v => v == highest);
        var lowIndex = Array.FindIndex(volts, v => v == lowest);
        var spreadIsZero = highest == lowest;

        for (var i = 0; i < _cells.Length; i++)
        {
            var cell = i + 1;
            if (i >= count)
            {
                _cells[i].Show("", Tone.Dim);
                continue;
            }
            if (volts[i] is not { } v)
            {
                _cells[i].Show($"{cell,2} --", Tone.Dim);
                continue;
            }
            var mark = spreadIsZero ? ' ' : i == highIndex ? '^' : i == lowIndex ? 'v' : ' ';
            var balancing = pack.Flag($"cell_{cell}_balancing") == true ? 'B' : ' ';
            var text = $"{cell,2} {v.ToString("0.000", CultureInfo.InvariantCulture)}{mark}{balancing}";
            _cells[i].Show(text, Aged(Tones.ForCell(pack, cell, v, average), old));
        }

        if (present.Length == 0)
        {
            _summary.Show("no cell voltages yet", Tone.Dim);
            return;
        }
        var spread = pack.Value("cell_delta") ?? (highest - lowest);
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"avg {average:0.000} V  delta {spread * 1000:0} mV  ^max vmin Bbal");
        _summary.Show(summary, Aged(spread > 0.1 ? Tone.Warning : Tone.Normal, old));
    }
}
