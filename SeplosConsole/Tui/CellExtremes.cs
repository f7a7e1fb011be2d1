using SeplosConsole.Services;

namespace SeplosConsole.Tui;

/// <summary>
/// The lowest and highest voltage of every cell of every pack since the dashboard started, fed with
/// each reading the window takes (not only the pack on screen). UI thread only.
/// </summary>
public sealed class CellExtremes
{
    private readonly Dictionary<byte, (double Min, double Max)?[]> _packs = [];

    public void Observe(PackStatus status)
    {
        if (status.State != PackLinkState.Online)
        {
            // A stale snapshot repeats old values: nothing new was measured.
            return;
        }
        if (!_packs.TryGetValue(status.Address, out var cells))
        {
            _packs[status.Address] = cells = new (double, double)?[CellGrid.MaxCells];
        }
        for (var i = 0; i < cells.Length; i++)
        {
            if (status.Snapshot.Value($"cell_{i + 1}") is { } volts and > 0)
            {
                cells[i] = cells[i] is { } seen ? (Math.Min(seen.Min, volts), Math.Max(seen.Max, volts)) : (volts, volts);
            }
        }
    }

    /// <summary>Cell 1–16 of a pack; null when no reading of it was seen.</summary>
    public (double Min, double Max)? Of(byte address, int cell)
        => _packs.TryGetValue(address, out var cells) && cell >= 1 && cell <= cells.Length ? cells[cell - 1] : null;
}
