using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Tui;

/// <summary>
/// System state, MOSFETs, and every active alarm, protection or fault by name, in red; "all clear"
/// when none. Flags whose bit is disputed carry a "?".
/// </summary>
public sealed class StatusPanel : DashboardPanel
{
    public const int ProblemLines = 3;
    /// <summary>The pack's clock is shown yellow when it is further off than this from the host's.</summary>
    public static readonly TimeSpan ClockDriftWarning = TimeSpan.FromMinutes(1);
    private const int ClockWidth = 24;
    private static readonly FlagDefinition[] SwitchFlags = [.. SeplosMap.FlagsOf(BlockId.Pic).Where(f => f.Kind == FlagKind.Switch)];
    private readonly LiveLabel _state;
    private readonly LiveLabel _switches;
    private readonly LiveLabel _problems;
    private readonly LiveLabel _clock;
    private string _stateText = "";

    public StatusPanel(Palette palette) : base("Status", palette)
    {
        _state = AddLine(0, 0);
        _switches = AddLine(0, 1);
        // The clock shares the state line, at its right end: the state is short ("State: Charging"),
        // the FETs line already fills a narrow panel (80 columns with the pack list beside it).
        _state.Width = Terminal.Gui.ViewBase.Dim.Fill(ClockWidth);
        _clock = AddLine(0, 0, ClockWidth);
        _clock.X = Terminal.Gui.ViewBase.Pos.AnchorEnd(ClockWidth);
        _problems = AddLine(0, 2);
        _problems.Height = ProblemLines;
    }

    /// <summary>
    /// Fewer than three lines inside (60×20): the alarms come first and the state second, the MOSFET
    /// line goes — an alarm must never be the line that has no room.
    /// </summary>
    public bool Compact
    {
        get => _problems.Y.Equals(Terminal.Gui.ViewBase.Pos.Absolute(0));
        set
        {
            if (value == Compact)
            {
                return;
            }
            _problems.Y = value ? 0 : 2;
            _problems.Height = value ? 1 : ProblemLines;
            _state.Y = value ? 1 : 0;
            _clock.Y = _state.Y;
            _switches.Visible = !value;
        }
    }

    public override void Show(PackStatus status, bool old)
    {
        var pack = status.Snapshot;
        ShowClock(pack, old);
        if (!pack.Has(BlockId.Pic))
        {
            ShowState("State: --", Tone.Dim);
            _switches.Show("FETs:  --", Tone.Dim);
            _problems.Show("no alarm data yet", Tone.Dim);
            return;
        }

        // All of PIC's state bits, not only TB09: the dashboard has room for heating, current limiting …
        var states = SeplosMap.PackStateFlags.Where(f => pack.Flag(f.Key) == true).Select(Named).ToArray();
        ShowState("State: " + (states.Length == 0 ? "--" : string.Join(", ", states)), Aged(Tone.Normal, old));

        var switches = SwitchFlags.Select(f => $"{Short(f)} {(pack.Flag(f.Key) == true ? "ON" : "off")}");
        _switches.Show("FETs:  " + string.Join("  ", switches), Aged(Tone.Normal, old));

        var problems = pack.ActiveProblems.Select(Named).ToArray();
        if (problems.Length == 0)
        {
            _problems.Show("all clear", Aged(Tone.Good, old));
        }
        else
        {
            var text = (old ? "(old) " : "") + string.Join(", ", problems);
            _problems.Show(Wrap(text, Math.Max(20, Viewport.Width)), Tone.Alarm);
        }
    }

    private void ShowState(string text, Tone tone)
    {
        _stateText = text;
        _state.Show(text, tone);
        FitClock();
    }

    /// <summary>
    /// The clock gives way where it and the state do not both fit on their line (60×20 beside the pack
    /// list, where the clock once left only "State:" of it): the state is the pack's own, the clock
    /// only a reminder to set it. Decided again whenever the panel's size changes.
    /// </summary>
    private void FitClock()
    {
        var width = Viewport.Width;
        var fits = width <= 0 || _stateText.Length + 1 + ClockWidth <= width;
        if (_clock.Visible != fits)
        {
            _clock.Visible = fits;
            _state.Width = fits ? Terminal.Gui.ViewBase.Dim.Fill(ClockWidth) : Terminal.Gui.ViewBase.Dim.Fill();
        }
    }

    protected override void OnViewportChanged(Terminal.Gui.ViewBase.DrawEventArgs e)
    {
        base.OnViewportChanged(e);
        FitClock();
    }

    /// <summary>Drift of the pack's clock from the host's local time, as last read (SCA, a slow block).</summary>
    private void ShowClock(PackSnapshot pack, bool old)
    {
        if (PackClockReading.From(pack)?.Drift(TimeZoneInfo.Local) is not { } drift)
        {
            _clock.Show("", Tone.Dim);
            return;
        }
        var text = "clock " + PackClockReading.Describe(drift);
        _clock.Show(text.Length > ClockWidth ? text[..ClockWidth] : text, Aged(drift.Duration() > ClockDriftWarning ? Tone.Warning : Tone.Normal, old));
    }

    private static string Named(FlagDefinition flag) => flag.Uncertain ? flag.Name + " ?" : flag.Name;

    private static string Short(FlagDefinition flag) => flag.Key switch
    {
        "charge_fet_on" => "charge",
        "discharge_fet_on" => "discharge",
        "current_limit_fet_on" => "limit",
        "heater_on" => "heater",
        _ => flag.Name,
    };

    /// <summary>Breaks a comma list into lines of the panel's width so no alarm name is cut off.</summary>
    internal static string Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line);
                line = word;
            }
            else
            {
                line = line.Length == 0 ? word : line + " " + word;
            }
        }
        lines.Add(line);
        return string.Join('\n', lines);
    }
}
