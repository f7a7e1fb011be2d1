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
    }

    private static string Line(string label, string? value) => $"{label,-9} {value ?? "--"}";

    /// <summary>The field's text with unit, or "--" when it was not read.</summary>
    internal static string Display(PackSnapshot pack, string key)
        => pack.Fields.TryGetValue(key, out var field) ? field.DisplayWithUnit : "--";

    internal static string Plain(PackSnapshot pack, string key)
        => pack.Fields.TryGetValue(key, out var field) ? field.Display : "--";
}
