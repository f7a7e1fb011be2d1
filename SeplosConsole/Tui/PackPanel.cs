using System.Globalization;
using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Tui;

/// <summary>The pack's main numbers: voltage, current, power, SOC, SOH, cycles, capacity, limits.</summary>
public sealed class PackPanel : DashboardPanel
{
    private readonly LiveLabel _voltage;
    private readonly LiveLabel _current;
    private readonly LiveLabel _power;
    private readonly LiveLabel _soc;
    private readonly LiveLabel _health;
    private readonly LiveLabel _capacity;
    private readonly LiveLabel _limits;
    private readonly LiveLabel _identity;
    private readonly LiveLabel _cellTemperatures;
    private readonly LiveLabel _boardTemperatures;

    public PackPanel(Palette palette) : base("Pack", palette)
    {
        _voltage = AddLine(0, 0);
        _current = AddLine(0, 1);
        _power = AddLine(0, 2);
        _soc = AddLine(0, 3);
        _health = AddLine(0, 4);
        _capacity = AddLine(0, 5);
        _limits = AddLine(0, 6);
        _identity = AddLine(0, 7);
        // The temperatures share this panel (its last two lines) so the cells get the full height beside it.
        _cellTemperatures = AddLine(0, 8);
        _boardTemperatures = AddLine(0, 9);
    }

    public override void Show(PackStatus status, bool old)
    {
        var pack = status.Snapshot;
        _voltage.Show(Line("Voltage", Display(pack, "pack_voltage")), Aged(Tone.Normal, old));

        if (pack.Value("current") is { } amps)
        {
            var signed = amps.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);
            _current.Show(Line("Current", $"{signed} A  {Tones.CurrentDirection(amps)}"), Aged(Tones.ForCurrent(amps), old));
        }
        else
        {
            _current.Show(Line("Current", null), Tone.Dim);
        }

        _power.Show(Line("Power", Display(pack, "power")), Aged(Tone.Normal, old));
        _soc.Show(Line("SOC", Display(pack, "soc")), Aged(pack.Value("soc") is { } soc ? Tones.ForSoc(soc) : Tone.Dim, old));
        _health.Show(Line("SOH", $"{Display(pack, "soh")}  cycles {Display(pack, "cycles")}"), Aged(Tone.Normal, old));
        _capacity.Show(Line("Capacity", $"{Plain(pack, "remaining_capacity")} / {Display(pack, "total_capacity")}"), Aged(Tone.Normal, old));
        _limits.Show(Line("Max chg", $"{Display(pack, "maxchgcurt")}  dis {Display(pack, "maxdiscurt")}"), Aged(Tone.Normal, old));
        var model = pack.Text("device_name") is { Length: > 0 } name ? name : "";
        var firmware = pack.Text("firmware_version") is { Length: > 0 } fw ? $" fw {fw}" : "";
        _identity.Show(Line("Model", model.Length + firmware.Length == 0 ? null : model + firmware), Tone.Dim);

        var (cellsText, cellsTone) = Sensors(pack, 1, 4, onlyFitted: false);
        _cellTemperatures.Show(Line("Cells °C", cellsText), Aged(cellsTone, old));
        var (extra, extraTone) = Sensors(pack, 5, 8, onlyFitted: true);
        var board = $"env {Plain(pack, "environment_temp")}  MOS {Plain(pack, "power_temp")}";
        _boardTemperatures.Show(Line("Temp °C", extra.Length == 0 ? board : $"{board}  {extra}"), Aged(extra.Length == 0 ? Tone.Normal : extraTone, old));
    }

    /// <summary>Cell sensors <paramref name="from"/>–<paramref name="to"/>; red when one has its alarm bit.</summary>
    private static (string Text, Tone Tone) Sensors(PackSnapshot pack, int from, int to, bool onlyFitted)
    {
        var text = new System.Text.StringBuilder();
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
            text.Append(text.Length == 0 ? "" : " ").Append(Plain(pack, $"cell_temp_{sensor}"));
        }
        return (text.ToString(), tone);
    }

    private static string Line(string label, string? value) => $"{label,-9} {value ?? "--"}";

    /// <summary>The field's text with unit, or "--" when it was not read.</summary>
    internal static string Display(PackSnapshot pack, string key)
        => pack.Fields.TryGetValue(key, out var field) ? field.DisplayWithUnit : "--";

    internal static string Plain(PackSnapshot pack, string key)
        => pack.Fields.TryGetValue(key, out var field) ? field.Display : "--";
}
