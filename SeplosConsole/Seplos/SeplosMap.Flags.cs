namespace SeplosConsole.Seplos;

public static partial class SeplosMap
{
    /// <summary>One bit table of the reference (TB02 …): eight names, "—" (null) for reserved bits.</summary>
    private sealed record BitTable(string Id, (string Key, string Name, FlagKind Kind)?[] Bits);

    /// <summary>A nested type, so the tables exist before <see cref="Flags"/> is built whatever the file order.</summary>
    private static class BitTables
    {
    // Event flags end in "_active": the same names without the suffix are the SPA thresholds
        // (e.g. cell_over_voltage_protection is the setting, cell_over_voltage_protection_active the event).
            internal static readonly BitTable Tb09SystemState = new("TB09",
        [
            ("discharging", "Discharging", FlagKind.State),
            ("charging", "Charging", FlagKind.State),
            ("floating_charge", "Floating charge", FlagKind.State),
            ("full_charge", "Fully charged", FlagKind.State),
            ("standby", "Standby", FlagKind.State),
            ("turned_off", "Turned off", FlagKind.State),
            null, null,
        ]);

            internal static readonly BitTable Tb02Voltage = new("TB02",
        [
            ("cell_high_voltage_alarm_active", "Cell high-voltage alarm", FlagKind.Alarm),
            ("cell_over_voltage_protection_active", "Cell over-voltage protection", FlagKind.Protection),
            ("cell_low_voltage_alarm_active", "Cell low-voltage alarm", FlagKind.Alarm),
            ("cell_under_voltage_protection_active", "Cell under-voltage protection", FlagKind.Protection),
            ("pack_high_voltage_alarm_active", "Pack high-voltage alarm", FlagKind.Alarm),
            ("pack_over_voltage_protection_active", "Pack over-voltage protection", FlagKind.Protection),
            ("pack_low_voltage_alarm_active", "Pack low-voltage alarm", FlagKind.Alarm),
            ("pack_under_voltage_protection_active", "Pack under-voltage protection", FlagKind.Protection),
        ]);

            internal static readonly BitTable Tb03CellTemperature = new("TB03",
        [
            ("charge_high_temperature_alarm_active", "Charge high-temperature alarm", FlagKind.Alarm),
            ("charge_over_temperature_protection_active", "Charge over-temperature protection", FlagKind.Protection),
            ("charge_low_temperature_alarm_active", "Charge low-temperature alarm", FlagKind.Alarm),
            ("charge_under_temperature_protection_active", "Charge under-temperature protection", FlagKind.Protection),
            ("discharge_high_temperature_alarm_active", "Discharge high-temperature alarm", FlagKind.Alarm),
            ("discharge_over_temperature_protection_active", "Discharge over-temperature protection", FlagKind.Protection),
            ("discharge_low_temperature_alarm_active", "Discharge low-temperature alarm", FlagKind.Alarm),
            ("discharge_under_temperature_protection_active", "Discharge under-temperature protection", FlagKind.Protection),
        ]);

            internal static readonly BitTable Tb04EnvironmentPower = new("TB04",
        [
            ("high_ambient_temperature_alarm_active", "Environment high-temperature alarm", FlagKind.Alarm),
            ("over_ambient_temperature_protection_active", "Environment over-temperature protection", FlagKind.Protection),
            ("low_ambient_temperature_alarm_active", "Environment low-temperature alarm", FlagKind.Alarm),
            ("under_ambient_temperature_protection_active", "Environment under-temperature protection", FlagKind.Protection),
            ("power_high_temperature_alarm_active", "Power high-temperature alarm", FlagKind.Alarm),
            ("power_over_temperature_protection_active", "Power over-temperature protection", FlagKind.Protection),
            ("cell_heating", "Cell low-temperature heating", FlagKind.State),
            null,
        ]);

            internal static readonly BitTable Tb05Current1 = new("TB05",
        [
            ("charge_over_current_alarm_active", "Charge over-current alarm", FlagKind.Alarm),
            ("charge_over_current_protection_active", "Charge over-current protection", FlagKind.Protection),
            ("secondary_charge_over_current_protection_active", "2nd-level charge over-current protection", FlagKind.Protection),
            ("discharge_over_current_alarm_active", "Discharge over-current alarm", FlagKind.Alarm),
            ("discharge_over_current_protection_active", "Discharge over-current protection", FlagKind.Protection),
            ("secondary_discharge_over_current_protection_active", "2nd-level discharge over-current protection", FlagKind.Protection),
            ("output_short_circuit_protection_active", "Output short-circuit protection", FlagKind.Protection),
            null,
        ]);

            internal static readonly BitTable Tb16Current2 = new("TB16",
        [
            ("output_short_circuit_latched", "Output short-circuit latch-up", FlagKind.Protection),
            null,
            ("secondary_charge_over_current_latched", "2nd-level charge over-current latch-up", FlagKind.Protection),
            ("secondary_discharge_over_current_latched", "2nd-level discharge over-current latch-up", FlagKind.Protection),
            null, null, null, null,
        ]);

            internal static readonly BitTable Tb06Capacity = new("TB06",
        [
            null, null,
            ("soc_low_alarm_active", "Low-SOC alarm", FlagKind.Alarm),
            ("soc_low_protection_active", "Low-SOC protection", FlagKind.Protection),
            ("cell_difference_alarm_active", "Cell difference alarm", FlagKind.Alarm),
            null, null, null,
        ]);

            internal static readonly BitTable Tb07Fet = new("TB07",
        [
            ("discharge_fet_on", "Discharge MOSFET on", FlagKind.Switch),
            ("charge_fet_on", "Charge MOSFET on", FlagKind.Switch),
            ("current_limit_fet_on", "Current-limit MOSFET on", FlagKind.Switch),
            ("heater_on", "Heater on", FlagKind.Switch),
            null, null, null, null,
        ]);

        // Byte 16 is disputed: the documents say TB08, the vendor app lists balancing-module and
        // static-balance flags and "cell failure". Shown, labelled uncertain (register reference, PIC).
            internal static readonly BitTable Tb08State = new("TB08",
        [
            ("low_soc_state", "Low SOC", FlagKind.State),
            ("intermittent_charge", "Intermittent charge", FlagKind.State),
            ("external_switch_control", "External switch control", FlagKind.State),
            ("static_standby", "Static standby / sleep", FlagKind.State),
            ("history_recording", "History recording", FlagKind.State),
            ("under_soc_protection_state", "Under-SOC protection", FlagKind.State),
            ("active_current_limiting", "Active current limiting", FlagKind.State),
            ("passive_current_limiting", "Passive current limiting", FlagKind.State),
        ]);

            internal static readonly BitTable Tb15Hardware = new("TB15",
        [
            ("ntc_fault", "Temperature sensor (NTC) fault", FlagKind.Fault),
            ("afe_fault", "Analogue front-end (AFE) fault", FlagKind.Fault),
            ("charge_mosfet_fault", "Charge MOSFET fault", FlagKind.Fault),
            ("discharge_mosfet_fault", "Discharge MOSFET fault", FlagKind.Fault),
            ("cell_fault", "Cell fault (large difference)", FlagKind.Fault),
            ("break_line_fault", "Sense wire break", FlagKind.Fault),
            ("key_fault", "Key fault", FlagKind.Fault),
            ("aerosol_alarm", "Aerosol (fire) alarm", FlagKind.Fault),
        ]);

        // SFA function switches (register reference, SFA): a set bit means the function is ENABLED.
        // TB02, TB03, TB05, TB08 and TB15 are the event tables above read as switches; TB11 has
        // TB16's bits and TB10 TB04's plus "cell voltage fault"; TB17, TB12 and TB18 exist only in SFA.
            internal static readonly BitTable Tb10EnvironmentPowerFunctions = new("TB10",
            [.. Tb04EnvironmentPower.Bits[..7], ("cell_voltage_fault", "Cell voltage fault", FlagKind.Setting)]);

            internal static readonly BitTable Tb11CurrentFunctions2 = Tb16Current2 with { Id = "TB11" };

            internal static readonly BitTable Tb17FunctionSwitch = new("TB17",
        [
            ("forced_output", "Forced output (FOCS)", FlagKind.Setting),
            null, null, null, null, null, null, null,
        ]);

            internal static readonly BitTable Tb12Equalization = new("TB12",
        [
            ("balancing_module", "Balancing module", FlagKind.Setting),
            ("static_balancing_indication", "Static balancing indication", FlagKind.Setting),
            ("static_balancing_timeout", "Static balancing time-out", FlagKind.Setting),
            ("balancing_temperature_limit", "Balancing temperature limit", FlagKind.Setting),
            null, null, null, null,
        ]);

            internal static readonly BitTable Tb18Indicators = new("TB18",
        [
            ("buzzer", "Buzzer", FlagKind.Setting),
            ("lcd_display", "LCD display", FlagKind.Setting),
            ("manual_forced_output", "Manual forced output (FOCS)", FlagKind.Setting),
            ("auto_forced_output", "Automatic forced output (FOCS)", FlagKind.Setting),
            ("under_voltage_recover", "Under-voltage recovery", FlagKind.Setting),
            ("aerosol_test", "Aerosol test", FlagKind.Setting),
            ("aerosol_normally_disconnected", "Aerosol normally-disconnected mode", FlagKind.Setting),
            ("temperature_current_adjust", "Temperature-dependent current adjustment", FlagKind.Setting),
        ]);

        /// <summary>The ten bytes of SFA in reply order (register reference, SFA).</summary>
            internal static readonly BitTable[] SwitchTables =
        [
            Tb02Voltage, Tb03CellTemperature, Tb10EnvironmentPowerFunctions, Tb17FunctionSwitch, Tb05Current1,
            Tb11CurrentFunctions2, Tb08State, Tb12Equalization, Tb18Indicators, Tb15Hardware,
        ];

        /// <summary>PIC bytes 8–17 and EIC bytes 0–9 share these tables (register reference, EIC).</summary>
            internal static readonly BitTable[] StateTables =
        [
            Tb09SystemState, Tb02Voltage, Tb03CellTemperature, Tb04EnvironmentPower, Tb05Current1,
            Tb16Current2, Tb06Capacity, Tb07Fet, Tb08State, Tb15Hardware,
        ];
    }

    private static FlagDefinition[] BuildFlags()
    {
        var flags = new List<FlagDefinition>();

        // PIC bytes 0–7: one bit per cell or sensor.
        for (var cell = 1; cell <= 16; cell++)
        {
            var bit = cell - 1;
            // The same presence as the cell's voltage field (SeplosMap.Fields: cells past cell_count).
            var fitted = new SensorPresence("cell_count", cell, MaxCount: 16);
            flags.Add(new($"cell_{cell}_low_voltage_alarm", $"Cell {cell} low-voltage alarm", BlockId.Pic, (0 * 8) + bit, FlagKind.Alarm) { FittedWhen = fitted });
            flags.Add(new($"cell_{cell}_high_voltage_alarm", $"Cell {cell} high-voltage alarm", BlockId.Pic, (2 * 8) + bit, FlagKind.Alarm) { FittedWhen = fitted });
            flags.Add(new($"cell_{cell}_balancing", $"Cell {cell} balancing", BlockId.Pic, (6 * 8) + bit, FlagKind.Balancing) { FittedWhen = fitted });
        }
        for (var sensor = 1; sensor <= 8; sensor++)
        {
            // As the sensor's temperature field: sensors past ntc_count are not fitted.
            var fitted = new SensorPresence("ntc_count", sensor, MaxCount: 8);
            flags.Add(new($"cell_temp_{sensor}_low_alarm", $"Cell temperature {sensor} low alarm", BlockId.Pic, (4 * 8) + sensor - 1, FlagKind.Alarm) { FittedWhen = fitted });
            flags.Add(new($"cell_temp_{sensor}_high_alarm", $"Cell temperature {sensor} high alarm", BlockId.Pic, (5 * 8) + sensor - 1, FlagKind.Alarm) { FittedWhen = fitted });
        }

        // PIC bytes 8–17 and EIC bytes 0–9.
        for (var table = 0; table < BitTables.StateTables.Length; table++)
        {
            var uncertain = BitTables.StateTables[table] == BitTables.Tb08State;
            var note = uncertain ? "PIC byte 16 is disputed between the documents and the vendor app" : null;
            for (var bit = 0; bit < 8; bit++)
            {
                if (BitTables.StateTables[table].Bits[bit] is not { } entry)
                {
                    continue;
                }
                flags.Add(new(entry.Key, entry.Name, BlockId.Pic, ((8 + table) * 8) + bit, entry.Kind, uncertain, note));
                flags.Add(new("system_" + entry.Key, "System: " + entry.Name, BlockId.Eic, (table * 8) + bit, entry.Kind, uncertain, note));
            }
        }
        // SFA bytes 0–9: the same table read as "this function is enabled" (a setting, never an alarm).
        for (var table = 0; table < BitTables.SwitchTables.Length; table++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                if (BitTables.SwitchTables[table].Bits[bit] is not { } entry)
                {
                    continue;
                }
                // TB08 is the table disputed in PIC byte 16; the same doubt holds for its switches.
                var uncertain = BitTables.SwitchTables[table] == BitTables.Tb08State;
                flags.Add(new(SwitchKey(entry.Key), entry.Name + " enabled", BlockId.Sfa, (table * 8) + bit, FlagKind.Setting, uncertain,
                    uncertain ? "TB08 is disputed between the documents and the vendor app (PIC byte 16)" : null));
            }
        }
        return [.. flags.OrderBy(f => f.Block).ThenBy(f => f.Bit)];
    }

    /// <summary>
    /// The switch of an event: "cell_high_voltage_alarm_active" → "cell_high_voltage_alarm_enabled"
    /// (the bare name is the SPA threshold), "low_soc_state" → "low_soc_enabled",
    /// "output_short_circuit_latched" → "output_short_circuit_latch_enabled", "ntc_fault" → "ntc_fault_enabled".
    /// </summary>
    private static string SwitchKey(string tableKey)
    {
        foreach (var (suffix, replacement) in (ReadOnlySpan<(string, string)>)[("_active", ""), ("_state", ""), ("_latched", "_latch")])
        {
            if (tableKey.EndsWith(suffix, StringComparison.Ordinal))
            {
                return tableKey[..^suffix.Length] + replacement + "_enabled";
            }
        }
        return tableKey + "_enabled";
    }
}
