using SeplosConsole.Seplos;

namespace SeplosConsole.Tui;

/// <summary>The colour rules of the monitor, kept apart from the views so tests can check them directly.</summary>
public static class Tones
{
    /// <summary>A cell this close to the pack average is normal (10 mV, as the original tool shaded).</summary>
    public const double CellBand = 0.010;

    /// <summary>Below this the current reads as idle: the shunt shows a few 10 mA of noise at rest.</summary>
    public const double IdleCurrent = 0.05;

    public static Tone ForCurrent(double amps) => amps > IdleCurrent ? Tone.Good : amps < -IdleCurrent ? Tone.Warning : Tone.Normal;

    public static string CurrentDirection(double amps) => amps > IdleCurrent ? "charging" : amps < -IdleCurrent ? "discharging" : "idle";

    public static Tone ForSoc(double percent) => percent >= 50 ? Tone.Good : percent >= 20 ? Tone.Warning : Tone.Alarm;

    /// <summary>
    /// A cell's colour: red outside the pack's own alarm thresholds (SPA, when read) or with its
    /// alarm bit set, otherwise shaded by how far it sits from the average.
    /// </summary>
    public static Tone ForCell(PackSnapshot snapshot, int cell, double volts, double average)
    {
        if (snapshot.Flag($"cell_{cell}_high_voltage_alarm") == true || snapshot.Flag($"cell_{cell}_low_voltage_alarm") == true)
        {
            return Tone.Alarm;
        }
        if (snapshot.Value("cell_high_voltage_alarm") is { } high && high > 0 && volts >= high)
        {
            return Tone.Alarm;
        }
        if (snapshot.Value("cell_low_voltage_alarm") is { } low && low > 0 && volts <= low)
        {
            return Tone.Alarm;
        }
        var difference = volts - average;
        return difference > CellBand ? Tone.High : difference < -CellBand ? Tone.Low : Tone.Normal;
    }
}
