using System.Text;
using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Tui;

/// <summary>Cell sensors 1–4 (5–8 when fitted), environment and MOSFET temperatures, in °C.</summary>
public sealed class TemperaturePanel : DashboardPanel
{
    private readonly LiveLabel _firstSensors;
    private readonly LiveLabel _extraSensors;
    private readonly LiveLabel _board;

    public TemperaturePanel(Palette palette) : base("Temperatures °C", palette)
    {
        _firstSensors = AddLine(0, 0);
        _extraSensors = AddLine(0, 1);
        _board = AddLine(0, 2);
    }

    public override void Show(PackStatus status, bool old)
    {
        var pack = status.Snapshot;
        var (first, firstTone) = Sensors(pack, 1, 4, onlyFitted: false);
        _firstSensors.Show(first, Aged(firstTone, old));
        var (extra, extraTone) = Sensors(pack, 5, 8, onlyFitted: true);
        _extraSensors.Show(extra, Aged(extraTone, old));
        _board.Show($"Env {Value(pack, "environment_temp")}  MOSFET {Value(pack, "power_temp")}", Aged(Tone.Normal, old));
    }

    private static (string Text, Tone Tone) Sensors(PackSnapshot pack, int from, int to, bool onlyFitted)
    {
        var text = new StringBuilder();
        var tone = Tone.Normal;
        for (var sensor = from; sensor <= to; sensor++)
        {
            var value = pack.Value($"cell_temp_{sensor}");
            // Sensors 5–8 read exactly 0.0 °C (raw 2731) when none is fitted (register reference, PIB).
            if (onlyFitted && (value is null || value == 0.0))
            {
                continue;
            }
            if (pack.Flag($"cell_temp_{sensor}_high_alarm") == true || pack.Flag($"cell_temp_{sensor}_low_alarm") == true)
            {
                tone = Tone.Alarm;
            }
            text.Append(text.Length == 0 ? "" : "  ").Append('T').Append(sensor).Append(' ').Append(Value(pack, $"cell_temp_{sensor}"));
        }
        return (text.ToString(), tone);
    }

    private static string Value(PackSnapshot pack, string key) => PackPanel.Plain(pack, key);
}
