namespace SeplosConsole.Tui;

/// <summary>
/// How the monitor shares the terminal's rows: pack and cells on top, the status panel (alarms) and
/// pack list below, then the log, then the status line. At 80×24 everything fits with a two-line log;
/// at 60×20 the status panel and the log get two and one lines; below that the log goes first, then
/// the status panel — and <see cref="Hidden"/> names what went, for the status line.
/// </summary>
public readonly record struct MonitorSplit(int Top, int Status, int Log)
{
    /// <summary>Pack panel (8 lines and 2 of temperatures) and the cells (2 columns of 8) with their frames.</summary>
    public const int TopHeight = 12;

    /// <summary>The status panel with all its lines: state, MOSFETs and three lines of alarms.</summary>
    public const int StatusHeight = StatusPanel.ProblemLines + 4;

    /// <summary>A framed pane shows nothing with fewer rows than this.</summary>
    public const int Smallest = 3;

    public int Body => Top + Status;

    public static MonitorSplit For(int screenHeight)
    {
        var available = Math.Max(0, screenHeight - 1);
        var top = Math.Min(TopHeight, available);
        var rest = available - top;
        var log = rest >= StatusHeight + Smallest ? rest - StatusHeight : rest >= 2 * Smallest ? Smallest : 0;
        var status = rest - log >= Smallest ? rest - log : 0;
        return new MonitorSplit(top, status, log);
    }

    /// <summary>The panes that got no room, for the status line ("hidden: log"); empty when none.</summary>
    public IReadOnlyList<string> Hidden(bool severalPacks)
    {
        var hidden = new List<string>();
        if (Status == 0)
        {
            hidden.Add(severalPacks ? "alarms, packs" : "alarms");
        }
        if (Log == 0)
        {
            hidden.Add("log");
        }
        return hidden;
    }
}
