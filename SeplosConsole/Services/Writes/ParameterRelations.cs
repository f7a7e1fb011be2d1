using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Writes;

/// <summary>How the two parameters of a relation must compare.</summary>
public enum RelationKind
{
    /// <summary>Lower &lt; Upper.</summary>
    Below,
    /// <summary>Lower ≤ Upper.</summary>
    AtMost,
    /// <summary>|Lower| &lt; |Upper|: for the discharge currents, which are negative (C1: −203 −205 −210).</summary>
    MagnitudeBelow,
    /// <summary>|Lower| ≤ |Upper|.</summary>
    MagnitudeAtMost,
    /// <summary>Lower is a cell threshold; × series cells (SPA 0x01) it must lie near Upper, the pack threshold.</summary>
    CellsTimesSeriesMatchPack,
}

/// <summary>One rule a sane SPA parameter set keeps, naming the two parameters it ties together.</summary>
public sealed record ParameterRelation(string Rule, string LowerKey, RelationKind Kind, string UpperKey)
{
    /// <summary>
    /// How far (relative) cell × series may lie from the pack value. The reference's C1 pack, as
    /// shipped, has 16 × 3.100 V = 49.6 V against a 48.00 V pack recovery (3.3 %), so 3 % would
    /// refuse every write of a stock pack; 5 % keeps that and still catches a cell value meant for
    /// another series count (15 vs 16 cells is 6.7 %).
    /// </summary>
    public const double SeriesTolerance = 0.05;

    public bool Involves(string key) => LowerKey == key || UpperKey == key;

    /// <summary>
    /// Why <paramref name="values"/> break this rule, with what would be accepted for
    /// <paramref name="changedKey"/>; null when the rule holds or its parameters were not read.
    /// </summary>
    public string? Violation(SpaValues values, string? changedKey = null)
    {
        if (!values.Has(LowerKey) || !values.Has(UpperKey))
        {
            return null;
        }
        var lower = values.Value(LowerKey);
        var upper = values.Value(UpperKey);
        var lowerText = $"{LowerKey} {values.Display(LowerKey)}";
        var upperText = $"{UpperKey} {values.Display(UpperKey)}";
        return Kind switch
        {
            RelationKind.Below when lower >= upper =>
                $"rule '{Rule}' broken: {lowerText} must be below {upperText}" + Accepted(values, changedKey, "below", "above"),
            RelationKind.AtMost when lower > upper =>
                $"rule '{Rule}' broken: {lowerText} must be at most {upperText}" + Accepted(values, changedKey, "at most", "at least"),
            RelationKind.MagnitudeBelow when Math.Abs(lower) >= Math.Abs(upper) =>
                $"rule '{Rule}' broken: {lowerText} must be smaller in magnitude than {upperText}" + Accepted(values, changedKey, "smaller in magnitude than", "larger in magnitude than"),
            RelationKind.MagnitudeAtMost when Math.Abs(lower) > Math.Abs(upper) =>
                $"rule '{Rule}' broken: {lowerText} must not exceed {upperText} in magnitude" + Accepted(values, changedKey, "at most the magnitude of", "at least the magnitude of"),
            RelationKind.CellsTimesSeriesMatchPack => SeriesViolation(values, changedKey),
            _ => null,
        };
    }

    private string Accepted(SpaValues values, string? changedKey, string lowerWord, string upperWord)
        => changedKey == LowerKey ? $"; accepted: {lowerWord} {values.Display(UpperKey)}"
            : changedKey == UpperKey ? $"; accepted: {upperWord} {values.Display(LowerKey)}"
            : "";

    private string? SeriesViolation(SpaValues values, string? changedKey)
    {
        var cells = values.CellCount;
        if (cells is null)
        {
            return $"rule '{Rule}' cannot be checked: the pack reports {(values.Has("cell_count") ? values.Raw("cell_count") : "no")} series cells";
        }
        var cellField = SeplosMap.FindField(LowerKey)!;
        var packField = SeplosMap.FindField(UpperKey)!;
        var expectedPack = values.Value(LowerKey) * cells.Value;
        var pack = values.Value(UpperKey);
        if (Math.Abs(pack - expectedPack) <= SeriesTolerance * expectedPack)
        {
            return null;
        }
        var accepted = changedKey == UpperKey
            ? Range(packField, expectedPack * (1 - SeriesTolerance), expectedPack * (1 + SeriesTolerance))
            : changedKey == LowerKey
                ? Range(cellField, pack / (cells.Value * (1 + SeriesTolerance)), pack / (cells.Value * (1 - SeriesTolerance)))
                : null;
        return $"rule '{Rule}' broken: {cells} × {LowerKey} {values.Display(LowerKey)} = {packField.Format(expectedPack)} {packField.Unit} " +
               $"is more than {SeriesTolerance:P0} from {UpperKey} {values.Display(UpperKey)}" +
               (accepted is null ? "" : $"; accepted: {accepted}");
    }

    /// <summary>A range shown at the register's resolution, rounded inwards so both ends are accepted.</summary>
    private static string Range(FieldDefinition field, double from, double to)
    {
        var low = Math.Ceiling(Math.Round(from / field.Scale, 6)) * field.Scale;
        var high = Math.Floor(Math.Round(to / field.Scale, 6)) * field.Scale;
        return $"{field.Format(low)} … {field.Format(high)} {field.Unit}";
    }
}

/// <summary>
/// The relations a sane parameter set keeps (register reference, "Relations a sane parameter set
/// keeps", offsets from its SPA table). Data, not code: a new rule is one more line here.
/// </summary>
public static class ParameterRelations
{
    public static IReadOnlyList<ParameterRelation> All { get; } = Build();

    /// <summary>Rules that <paramref name="values"/> break among those involving <paramref name="changedKey"/>.</summary>
    public static IReadOnlyList<string> Violations(SpaValues values, string changedKey)
        => [.. All.Where(r => r.Involves(changedKey)).Select(r => r.Violation(values, changedKey)).OfType<string>()];

    /// <summary>Every rule <paramref name="values"/> break (to warn about a pack that is already inconsistent).</summary>
    public static IReadOnlyList<string> AllViolations(SpaValues values)
        => [.. All.Select(r => r.Violation(values)).OfType<string>()];

    private static ParameterRelation[] Build()
    {
        var rules = new List<ParameterRelation>();

        // High/over groups: recover < alarm ≤ protect, and the protection recovers below itself.
        void High(string group, string recover, string alarm, string overRecover, string overProtect)
        {
            rules.Add(new($"{group}: high recovery < high alarm", recover, RelationKind.Below, alarm));
            rules.Add(new($"{group}: high alarm ≤ over protection", alarm, RelationKind.AtMost, overProtect));
            rules.Add(new($"{group}: over recovery < over protection", overRecover, RelationKind.Below, overProtect));
        }

        // Low/under groups, the mirror image: protect ≤ alarm < recover.
        void Low(string group, string lowRecover, string lowAlarm, string underRecover, string underProtect)
        {
            rules.Add(new($"{group}: low alarm < low recovery", lowAlarm, RelationKind.Below, lowRecover));
            rules.Add(new($"{group}: under protection ≤ low alarm", underProtect, RelationKind.AtMost, lowAlarm));
            rules.Add(new($"{group}: under protection < under recovery", underProtect, RelationKind.Below, underRecover));
        }

        High("pack voltage", "battery_high_voltage_recovery", "battery_high_voltage_alarm", "battery_over_voltage_recovery", "battery_over_voltage_protection");
        Low("pack voltage", "battery_low_voltage_recovery", "battery_low_voltage_alarm", "battery_under_voltage_recovery", "battery_under_voltage_protection");
        High("cell voltage", "cell_high_voltage_recovery", "cell_high_voltage_alarm", "cell_over_voltage_recovery", "cell_over_voltage_protection");
        Low("cell voltage", "cell_low_voltage_recovery", "cell_low_voltage_alarm", "cell_under_voltage_recovery", "cell_under_voltage_protection");
        rules.Add(new("cell voltage: under-voltage failure < under protection", "cell_under_voltage_failure", RelationKind.Below, "cell_under_voltage_protection"));

        // Cell thresholds × series count must describe the same pack as the pack thresholds (SPA 0x0A–0x11 vs 0x02–0x09).
        foreach (var level in new[] { "high_voltage_recovery", "high_voltage_alarm", "over_voltage_recovery", "over_voltage_protection",
                                      "low_voltage_recovery", "low_voltage_alarm", "under_voltage_recovery", "under_voltage_protection" })
        {
            rules.Add(new($"cell × series ≈ pack: {level.Replace('_', ' ')}", $"cell_{level}", RelationKind.CellsTimesSeriesMatchPack, $"battery_{level}"));
        }

        High("charge temperature", "charge_high_temperature_recovery", "charge_high_temperature_alarm", "charge_over_temperature_recovery", "charge_over_temperature_protection");
        Low("charge temperature", "charge_low_temperature_recovery", "charge_low_temperature_alarm", "charge_under_temperature_recovery", "charge_under_temperature_protection");
        High("discharge temperature", "discharge_high_temperature_recovery", "discharge_high_temperature_alarm", "discharge_over_temperature_recovery", "discharge_over_temperature_protection");
        Low("discharge temperature", "discharge_low_temperature_recovery", "discharge_low_temperature_alarm", "discharge_under_temperature_recovery", "discharge_under_temperature_protection");
        High("environment temperature", "high_ambient_temperature_recovery", "high_ambient_temperature_alarm", "over_ambient_temperature_recovery", "over_ambient_temperature_protection");
        Low("environment temperature", "low_ambient_temperature_recovery", "low_ambient_temperature_alarm", "under_ambient_temperature_recovery", "under_ambient_temperature_protection");
        High("power temperature", "power_high_temperature_recovery", "power_high_temperature_alarm", "power_over_temperature_recovery", "power_over_temperature_protection");
        Low("SOC", "soc_low_recovery", "soc_low_alarm", "soc_protection_recovery", "soc_low_protection");

        // Cell difference (SPA 0x13, 0x14, 0x63, 0x64): alarm recovery < alarm ≤ protection; protection recovers below itself.
        rules.Add(new("cell difference: alarm recovery < alarm", "diff_pressure_alarm_recovery", RelationKind.Below, "cell_diff_pressure_alarm"));
        rules.Add(new("cell difference: alarm ≤ protection", "cell_diff_pressure_alarm", RelationKind.AtMost, "cell_diff_pressure_protection"));
        rules.Add(new("cell difference: protection recovery < protection", "diff_pressure_protection_recovery", RelationKind.Below, "cell_diff_pressure_protection"));

        // Balancing stops at a smaller difference than it starts at (SPA 0x51, 0x52).
        rules.Add(new("balancing: stop difference < start difference", "equalization_stop_difference_pressure", RelationKind.Below, "equalization_open_difference_pressure"));

        // Currents: recovery < alarm ≤ protection in magnitude; the discharge ones are negative (C1).
        rules.Add(new("charge current: recovery < alarm", "charge_over_current_recovery", RelationKind.Below, "charge_over_current_alarm"));
        rules.Add(new("charge current: alarm ≤ protection", "charge_over_current_alarm", RelationKind.AtMost, "charge_over_current_protection"));
        rules.Add(new("discharge current: |recovery| < |alarm|", "discharge_over_current_recovery", RelationKind.MagnitudeBelow, "discharge_over_current_alarm"));
        rules.Add(new("discharge current: |alarm| ≤ |protection|", "discharge_over_current_alarm", RelationKind.MagnitudeAtMost, "discharge_over_current_protection"));

        return [.. rules];
    }
}
