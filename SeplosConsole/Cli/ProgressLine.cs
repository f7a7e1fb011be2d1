using System.Globalization;

namespace SeplosConsole.Cli;

/// <summary>
/// A progress bar redrawn in place on a terminal's stderr ("\r", at most ten times a second), so
/// stdout stays clean for the data. Draws nothing when stderr is not a terminal. Not thread-safe.
/// </summary>
public sealed class ProgressLine(TextWriter terminal, bool enabled, TimeProvider? time = null)
{
    private const int BarWidth = 24;
    private static readonly TimeSpan MinRedraw = TimeSpan.FromMilliseconds(100);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _lastDraw;
    private int _width;

    /// <param name="done">Items so far.</param>
    /// <param name="total">Items expected, when known.</param>
    /// <param name="rate">Items per second.</param>
    /// <param name="unit">"records".</param>
    /// <param name="force">Draw even if the last draw was under 100 ms ago (the last item).</param>
    public void Draw(long done, long? total, double rate, string unit, bool force = false)
    {
        if (!enabled || (!force && _lastDraw != 0 && _time.GetElapsedTime(_lastDraw) < MinRedraw))
        {
            return;
        }
        _lastDraw = _time.GetTimestamp();
        string line;
        if (total is > 0 and var all)
        {
            var share = Math.Clamp((double)done / all, 0, 1);
            var filled = (int)Math.Round(share * BarWidth);
            var left = rate > 0 ? $"  {Math.Max(0, all - done) / rate:0} s left" : "";
            line = string.Create(CultureInfo.InvariantCulture,
                $"[{new string('#', filled)}{new string('.', BarWidth - filled)}] {done}/{all} {unit}  {rate:0.0}/s{left}");
        }
        else
        {
            line = string.Create(CultureInfo.InvariantCulture, $"{done} {unit}  {rate:0.0}/s");
        }
        // Pad over a longer previous line, so no tail of it stays on screen.
        terminal.Write("\r" + line.PadRight(_width));
        terminal.Flush();
        _width = line.Length;
    }

    /// <summary>Ends the redrawn line so the next message starts on a line of its own.</summary>
    public void Finish()
    {
        if (enabled && _width > 0)
        {
            terminal.WriteLine();
            terminal.Flush();
            _width = 0;
        }
    }
}
