namespace SeplosConsole.Seplos;

public static partial class SeplosMap
{
    /// <summary>How a register is scaled; one entry per kind of register the map uses.</summary>
    private enum Kind
    {
        PackVolts,      // u16, 10 mV
        CellVolts,      // u16, 1 mV shown in V
        Amps,           // u16, 1 A
        SignedAmps,     // i16, 1 A (discharge thresholds are negative, C1)
        CentiAmps,      // i16, 10 mA
        Kelvin,         // u16, 0.1 K, 0 °C = 2731
        TenthPercent,   // u16, 0.1 %
        CentiAmpHours,  // u16, 10 mAh shown in Ah
        TenAmpHours,    // u16, 10 Ah
        TenthSeconds,   // u16, 0.1 s
        Milliseconds,
        Microseconds,
        Hours,
        Minutes,
        Count,
        MilliOhms,
        MilliAmps,
        Raw,
    }

    private static FieldDefinition Field(BlockId block, int offset, string key, string name, Kind kind, FieldCategory category = FieldCategory.Reading)
    {
        var field = new FieldDefinition
        {
            Key = key,
            Name = name,
            Block = block,
            Offset = offset,
            Category = category,
            Address = (ushort)(Block(block).Start + offset),
        };
        return kind switch
        {
            Kind.PackVolts => field with { Scale = 0.01, Decimals = 2, Unit = "V", Quantity = Quantity.Voltage },
            Kind.CellVolts => field with { Scale = 0.001, Decimals = 3, Unit = "V", Quantity = Quantity.Voltage },
            Kind.Amps => field with { Unit = "A", Quantity = Quantity.Current },
            Kind.SignedAmps => field with { Type = RegisterType.I16, Unit = "A", Quantity = Quantity.Current },
            Kind.CentiAmps => field with { Type = RegisterType.I16, Scale = 0.01, Decimals = 2, Unit = "A", Quantity = Quantity.Current },
            Kind.Kelvin => field with { Scale = 0.1, RawOffset = -2731, Decimals = 1, Unit = "°C", Quantity = Quantity.Temperature },
            Kind.TenthPercent => field with { Scale = 0.1, Decimals = 1, Unit = "%", Quantity = Quantity.Percent },
            Kind.CentiAmpHours => field with { Scale = 0.01, Decimals = 2, Unit = "Ah", Quantity = Quantity.Charge },
            Kind.TenAmpHours => field with { Scale = 10, Unit = "Ah", Quantity = Quantity.Charge },
            Kind.TenthSeconds => field with { Scale = 0.1, Decimals = 1, Unit = "s", Quantity = Quantity.Duration },
            Kind.Milliseconds => field with { Unit = "ms", Quantity = Quantity.Duration },
            Kind.Microseconds => field with { Unit = "µs", Quantity = Quantity.Duration },
            Kind.Hours => field with { Unit = "h", Quantity = Quantity.Duration },
            Kind.Minutes => field with { Unit = "min", Quantity = Quantity.Duration },
            Kind.Count => field with { Quantity = Quantity.Count },
            Kind.MilliOhms => field with { Unit = "mΩ", Quantity = Quantity.Resistance },
            Kind.MilliAmps => field with { Unit = "mA", Quantity = Quantity.Current },
            _ => field,
        };
    }

    /// <summary>A writable SPA parameter with its safe range (engineering units).</summary>
    private static FieldDefinition Param(int offset, string key, string name, Kind kind, double min, double max, params string[] aliases)
        => Field(BlockId.Spa, offset, key, name, kind, FieldCategory.Parameter) with { Writable = true, Min = min, Max = max, Aliases = aliases };

    /// <summary>An SPA register that is shown but never written.</summary>
    private static FieldDefinition ReadOnlyParam(int offset, string key, string name, Kind kind, string note, bool uncertain = false, params string[] aliases)
        => Field(BlockId.Spa, offset, key, name, kind, FieldCategory.Parameter) with { Note = note, Uncertain = uncertain, Aliases = aliases };

    private static FieldDefinition Text(BlockId block, int offset, int registers, string key, string name, FieldCategory category)
        => Field(block, offset, key, name, Kind.Raw, category) with { Type = RegisterType.Ascii, Registers = registers, Quantity = Quantity.Text };

    private static FieldDefinition Long(BlockId block, int offset, string key, string name, Kind kind, double scale, int decimals, bool signed = false)
        => Field(block, offset, key, name, kind, FieldCategory.System) with
        {
            Type = signed ? RegisterType.I32LowWordFirst : RegisterType.U32LowWordFirst,
            Registers = 2,
            Scale = scale,
            Decimals = decimals,
        };

    // Safe ranges for a 16-cell LiFePO4 pack. They are a first guard only: the write pipeline also
    // checks the relations between parameters and the size of a change.
    private const double PackMin = 40.00, PackMax = 58.40;      // 16 × 2.50 V … 16 × 3.65 V
    private const double CellMin = 2.500, CellMax = 3.650;      // LiFePO4 cell limits

    private static FieldDefinition[] BuildFields()
    {
        var fields = new List<FieldDefinition>
        {
            // PIA 0x1000, fc 0x04, 0x12 registers. Keys as in the original tool.
            Field(BlockId.Pia, 0x00, "pack_voltage", "Pack voltage", Kind.PackVolts),
            Field(BlockId.Pia, 0x01, "current", "Current", Kind.CentiAmps) with { Note = "positive while charging, negative while discharging" },
            Field(BlockId.Pia, 0x02, "remaining_capacity", "Remaining capacity", Kind.CentiAmpHours),
            Field(BlockId.Pia, 0x03, "total_capacity", "Full-charge capacity", Kind.CentiAmpHours),
            Field(BlockId.Pia, 0x04, "total_discharge_capacity", "Total discharged", Kind.TenAmpHours),
            Field(BlockId.Pia, 0x05, "soc", "State of charge", Kind.TenthPercent),
            Field(BlockId.Pia, 0x06, "soh", "State of health", Kind.TenthPercent),
            Field(BlockId.Pia, 0x07, "cycles", "Cycles", Kind.Count),
            Field(BlockId.Pia, 0x08, "average_cell_voltage", "Average cell voltage", Kind.CellVolts),
            Field(BlockId.Pia, 0x09, "average_cell_temp", "Average cell temperature", Kind.Kelvin),
            Field(BlockId.Pia, 0x0A, "max_cell_voltage", "Highest cell voltage", Kind.CellVolts),
            Field(BlockId.Pia, 0x0B, "min_cell_voltage", "Lowest cell voltage", Kind.CellVolts),
            Field(BlockId.Pia, 0x0C, "max_cell_temp", "Highest cell temperature", Kind.Kelvin),
            Field(BlockId.Pia, 0x0D, "min_cell_temp", "Lowest cell temperature", Kind.Kelvin),
            Field(BlockId.Pia, 0x0E, "pia_reserved_0e", "PIA 0x100E (reserved; vendor app: system events)", Kind.Raw, FieldCategory.Diagnostic) with { Uncertain = true },
            Field(BlockId.Pia, 0x0F, "maxdiscurt", "Suggested max discharge current", Kind.Amps),
            Field(BlockId.Pia, 0x10, "maxchgcurt", "Suggested max charge current", Kind.Amps),
            Field(BlockId.Pia, 0x11, "pia_reserved_11", "PIA 0x1011 (reserved; vendor app: external voltage)", Kind.Raw, FieldCategory.Diagnostic) with { Uncertain = true },

            // Derived, not registers (register reference, PIA notes). Power has the sign of the
            // current: positive while charging. (The original tool published −V×I.)
            new FieldDefinition { Key = "power", Name = "Power", Block = BlockId.Pia, Offset = -1, Type = RegisterType.Derived, Unit = "W", Quantity = Quantity.Power, Decimals = 1, Note = "pack voltage × current; positive while charging" },
            new FieldDefinition { Key = "cell_delta", Name = "Cell voltage spread", Block = BlockId.Pib, Offset = -1, Type = RegisterType.Derived, Unit = "V", Quantity = Quantity.Voltage, Decimals = 3, Note = "highest − lowest cell voltage" },
        };

        // PIB 0x1100, fc 0x04, 0x1A registers. Packs with fewer than 16 cells say how many in SPA
        // 0x1301 (cell_count), and the NTC count in SPA 0x1300 (register reference, PIB): a cell or
        // sensor beyond the count is not there, and is left out rather than shown as 0.
        for (var cell = 1; cell <= 16; cell++)
        {
            fields.Add(Field(BlockId.Pib, cell - 1, $"cell_{cell}", $"Cell {cell} voltage", Kind.CellVolts) with
            {
                FittedWhen = new SensorPresence("cell_count", cell, MaxCount: 16),
            });
        }
        for (var sensor = 1; sensor <= 4; sensor++)
        {
            fields.Add(Field(BlockId.Pib, 0x10 + sensor - 1, $"cell_temp_{sensor}", $"Cell temperature {sensor}", Kind.Kelvin));
        }
        for (var sensor = 5; sensor <= 8; sensor++)
        {
            // S2 calls these reserved; they read 2731 (0.0 °C) when no sensor is fitted.
            fields.Add(Field(BlockId.Pib, 0x10 + sensor - 1, $"cell_temp_{sensor}", $"Cell temperature {sensor}", Kind.Kelvin) with
            {
                Note = "fitted on some packs only; reads 0.0 °C when not fitted",
                FittedWhen = new SensorPresence("ntc_count", sensor, MaxCount: 8),
            });
        }
        fields.Add(Field(BlockId.Pib, 0x18, "environment_temp", "Environment temperature", Kind.Kelvin));
        fields.Add(Field(BlockId.Pib, 0x19, "power_temp", "Power (MOSFET) temperature", Kind.Kelvin));

        fields.AddRange(SpaFields());
        fields.AddRange(IdentityAndSystemFields());
        fields.AddRange(ClockFields());
        return [.. fields];
    }

    private static IEnumerable<FieldDefinition> SpaFields() =>
    [
        // SPA 0x1300 (read fc 0x04, write fc 0x10 one register at a time, as S3 did).
        ReadOnlyParam(0x00, "ntc_count", "Number of temperature sensors", Kind.Count, "set by the factory"),
        ReadOnlyParam(0x01, "cell_count", "Cells in series", Kind.Count, "hardware configuration; never written from a tool"),

        // Pack voltage thresholds (10 mV).
        Param(0x02, "battery_high_voltage_recovery", "Pack high-voltage alarm recovery", Kind.PackVolts, PackMin, PackMax),
        Param(0x03, "battery_high_voltage_alarm", "Pack high-voltage alarm", Kind.PackVolts, PackMin, PackMax),
        Param(0x04, "battery_over_voltage_recovery", "Pack over-voltage protection recovery", Kind.PackVolts, PackMin, PackMax),
        Param(0x05, "battery_over_voltage_protection", "Pack over-voltage protection", Kind.PackVolts, PackMin, PackMax),
        Param(0x06, "battery_low_voltage_recovery", "Pack low-voltage alarm recovery", Kind.PackVolts, PackMin, PackMax),
        Param(0x07, "battery_low_voltage_alarm", "Pack low-voltage alarm", Kind.PackVolts, PackMin, PackMax),
        Param(0x08, "battery_under_voltage_recovery", "Pack under-voltage protection recovery", Kind.PackVolts, PackMin, PackMax),
        Param(0x09, "battery_under_voltage_protection", "Pack under-voltage protection", Kind.PackVolts, PackMin, PackMax),

        // Cell voltage thresholds (1 mV).
        Param(0x0A, "cell_high_voltage_recovery", "Cell high-voltage alarm recovery", Kind.CellVolts, CellMin, CellMax),
        Param(0x0B, "cell_high_voltage_alarm", "Cell high-voltage alarm", Kind.CellVolts, CellMin, CellMax),
        Param(0x0C, "cell_over_voltage_recovery", "Cell over-voltage protection recovery", Kind.CellVolts, CellMin, CellMax),
        Param(0x0D, "cell_over_voltage_protection", "Cell over-voltage protection", Kind.CellVolts, CellMin, CellMax),
        Param(0x0E, "cell_low_voltage_recovery", "Cell low-voltage alarm recovery", Kind.CellVolts, CellMin, CellMax),
        Param(0x0F, "cell_low_voltage_alarm", "Cell low-voltage alarm", Kind.CellVolts, CellMin, CellMax),
        Param(0x10, "cell_under_voltage_recovery", "Cell under-voltage protection recovery", Kind.CellVolts, CellMin, CellMax),
        Param(0x11, "cell_under_voltage_protection", "Cell under-voltage protection", Kind.CellVolts, CellMin, CellMax),
        Param(0x12, "cell_under_voltage_failure", "Cell under-voltage failure", Kind.CellVolts, 2.000, 3.000),
        Param(0x13, "cell_diff_pressure_protection", "Cell difference protection", Kind.CellVolts, 0.050, 1.500, "cell_difference_protection"),
        // S2's row is garbled; the name and unit are S3's.
        Param(0x14, "diff_pressure_protection_recovery", "Cell difference protection recovery", Kind.CellVolts, 0.030, 1.000, "cell_difference_protection_recovery"),

        // Currents (1 A); discharge thresholds are negative (signed, C1).
        Param(0x15, "charge_over_current_recovery", "Charge over-current alarm recovery", Kind.Amps, 1, 400),
        Param(0x16, "charge_over_current_alarm", "Charge over-current alarm", Kind.Amps, 1, 400),
        Param(0x17, "charge_over_current_protection", "Charge over-current protection", Kind.Amps, 1, 400),
        Param(0x18, "charge_over_current_delay", "Charge over-current delay", Kind.TenthSeconds, 0.1, 60),
        Param(0x19, "secondary_charge_over_current_protection", "2nd-level charge over-current protection", Kind.Amps, 1, 500),
        ReadOnlyParam(0x1A, "secondary_charge_over_current_delay", "2nd-level charge over-current delay", Kind.Milliseconds,
            "unit disputed: S2 says ms, the original tool said s", uncertain: true),
        Param(0x1B, "discharge_over_current_recovery", "Discharge over-current alarm recovery", Kind.SignedAmps, -400, -1),
        Param(0x1C, "discharge_over_current_alarm", "Discharge over-current alarm", Kind.SignedAmps, -400, -1),
        Param(0x1D, "discharge_over_current_protection", "Discharge over-current protection", Kind.SignedAmps, -400, -1),
        Param(0x1E, "discharge_over_current_delay", "Discharge over-current delay", Kind.TenthSeconds, 0.1, 60),
        Param(0x1F, "secondary_discharge_over_current_protection", "2nd-level discharge over-current protection", Kind.SignedAmps, -500, -1),
        ReadOnlyParam(0x20, "secondary_discharge_over_current_delay", "2nd-level discharge over-current delay", Kind.Milliseconds,
            "unit disputed: S2 says ms, the original tool said s", uncertain: true, "secondary_discharge_over_current__delay"),
        Param(0x21, "output_short_circuit_protection", "Output short-circuit protection", Kind.SignedAmps, -1000, -100),
        Param(0x22, "output_short_circuit_delay", "Output short-circuit delay", Kind.Microseconds, 50, 1000),
        Param(0x23, "over_current_recovery_delay", "Over-current recovery delay", Kind.TenthSeconds, 1, 600),
        Param(0x24, "number_of_over_current_lock_times", "Over-current lock count", Kind.Count, 1, 20, "over_current_lock_count"),
        Param(0x25, "charge_high_switch_limited_time", "Charge high switch limited time", Kind.TenthSeconds, 1, 3000),
        Param(0x26, "pulse_current_limiting_current", "Pulse current limit", Kind.Amps, 1, 400, "pluse_current_limiting_current"),
        Param(0x27, "pulse_time", "Pulse time", Kind.TenthSeconds, 0.1, 60),
        ReadOnlyParam(0x28, "float_charge_lock_voltage", "Float-charge lock voltage", Kind.CellVolts, "from the vendor app's table only; S2 says reserved", uncertain: true),
        ReadOnlyParam(0x29, "float_charge_release_voltage", "Float-charge release voltage", Kind.CellVolts, "from the vendor app's table only; S2 says reserved", uncertain: true),
        ReadOnlyParam(0x2A, "float_charge_lock_current", "Float-charge lock current", Kind.MilliAmps, "from the vendor app's table only", uncertain: true),
        Param(0x2B, "precharge_short_percent", "Precharge short-circuit percentage", Kind.TenthPercent, 10, 100),
        Param(0x2C, "precharge_stop_percent", "Precharge stop percentage", Kind.TenthPercent, 10, 100),
        Param(0x2D, "precharge_fault_percent", "Precharge fault percentage", Kind.TenthPercent, 1, 100),
        ReadOnlyParam(0x2E, "precharge_over_time", "Precharge time-out", Kind.TenthSeconds, "unit disputed: the original tool says 0.1 s, S2 says 1 s", uncertain: true),

        // Charge temperature (0.1 K).
        Param(0x2F, "charge_high_temperature_recovery", "Charge high-temperature alarm recovery", Kind.Kelvin, -20, 65),
        Param(0x30, "charge_high_temperature_alarm", "Charge high-temperature alarm", Kind.Kelvin, -20, 65),
        Param(0x31, "charge_over_temperature_recovery", "Charge over-temperature protection recovery", Kind.Kelvin, -20, 65),
        Param(0x32, "charge_over_temperature_protection", "Charge over-temperature protection", Kind.Kelvin, -20, 65),
        Param(0x33, "charge_low_temperature_recovery", "Charge low-temperature alarm recovery", Kind.Kelvin, -20, 65),
        Param(0x34, "charge_low_temperature_alarm", "Charge low-temperature alarm", Kind.Kelvin, -20, 65),
        Param(0x35, "charge_under_temperature_recovery", "Charge under-temperature protection recovery", Kind.Kelvin, -20, 65),
        Param(0x36, "charge_under_temperature_protection", "Charge under-temperature protection", Kind.Kelvin, -20, 65),

        // Discharge temperature.
        Param(0x37, "discharge_high_temperature_recovery", "Discharge high-temperature alarm recovery", Kind.Kelvin, -30, 75),
        Param(0x38, "discharge_high_temperature_alarm", "Discharge high-temperature alarm", Kind.Kelvin, -30, 75),
        Param(0x39, "discharge_over_temperature_recovery", "Discharge over-temperature protection recovery", Kind.Kelvin, -30, 75),
        Param(0x3A, "discharge_over_temperature_protection", "Discharge over-temperature protection", Kind.Kelvin, -30, 75),
        Param(0x3B, "discharge_low_temperature_recovery", "Discharge low-temperature alarm recovery", Kind.Kelvin, -30, 75),
        Param(0x3C, "discharge_low_temperature_alarm", "Discharge low-temperature alarm", Kind.Kelvin, -30, 75),
        Param(0x3D, "discharge_under_temperature_recovery", "Discharge under-temperature protection recovery", Kind.Kelvin, -30, 75),
        Param(0x3E, "discharge_under_temperature_protection", "Discharge under-temperature protection", Kind.Kelvin, -30, 75),

        // Environment temperature.
        Param(0x3F, "high_ambient_temperature_recovery", "Environment high-temperature alarm recovery", Kind.Kelvin, -40, 85),
        Param(0x40, "high_ambient_temperature_alarm", "Environment high-temperature alarm", Kind.Kelvin, -40, 85),
        Param(0x41, "over_ambient_temperature_recovery", "Environment over-temperature protection recovery", Kind.Kelvin, -40, 85),
        Param(0x42, "over_ambient_temperature_protection", "Environment over-temperature protection", Kind.Kelvin, -40, 85),
        Param(0x43, "low_ambient_temperature_recovery", "Environment low-temperature alarm recovery", Kind.Kelvin, -40, 85),
        Param(0x44, "low_ambient_temperature_alarm", "Environment low-temperature alarm", Kind.Kelvin, -40, 85),
        Param(0x45, "under_ambient_temperature_recovery", "Environment under-temperature protection recovery", Kind.Kelvin, -40, 85),
        Param(0x46, "under_ambient_temperature_protection", "Environment under-temperature protection", Kind.Kelvin, -40, 85),

        // Power (MOSFET) temperature.
        Param(0x47, "power_high_temperature_recovery", "Power high-temperature alarm recovery", Kind.Kelvin, 20, 130),
        Param(0x48, "power_high_temperature_alarm", "Power high-temperature alarm", Kind.Kelvin, 20, 130),
        Param(0x49, "power_over_temperature_recovery", "Power over-temperature protection recovery", Kind.Kelvin, 20, 130),
        Param(0x4A, "power_over_temperature_protection", "Power over-temperature protection", Kind.Kelvin, 20, 130),

        // Heating and balancing.
        Param(0x4B, "temperature_regulate_stop", "Cell heating stop temperature", Kind.Kelvin, -20, 30, "cell_heating_stop"),
        Param(0x4C, "temperature_regulate_open", "Cell heating start temperature", Kind.Kelvin, -20, 30, "cell_heating_start"),
        Param(0x4D, "equalization_high_temperature_prohibition", "Balancing high-temperature limit", Kind.Kelvin, -20, 70, "balancing_high_temperature_limit"),
        Param(0x4E, "equalization_low_temperature_prohibition", "Balancing low-temperature limit", Kind.Kelvin, -20, 70, "balancing_low_temperature_limit"),
        Param(0x4F, "static_equalization_timing", "Static balancing time", Kind.Hours, 1, 100, "static_balancing_time"),
        Param(0x50, "equalization_open_voltage", "Balancing start voltage", Kind.CellVolts, 3.000, CellMax, "balancing_start_voltage"),
        Param(0x51, "equalization_open_difference_pressure", "Balancing start difference", Kind.CellVolts, 0.005, 0.500, "balancing_start_difference"),
        Param(0x52, "equalization_stop_difference_pressure", "Balancing stop difference", Kind.CellVolts, 0.002, 0.500, "balancing_stop_difference"),

        // SOC thresholds (0.1 %).
        Param(0x53, "power_supply_soc", "SOC full release", Kind.TenthPercent, 50, 100, "soc_full_release"),
        Param(0x54, "soc_low_recovery", "Low-SOC alarm recovery", Kind.TenthPercent, 0, 100),
        Param(0x55, "soc_low_alarm", "Low-SOC alarm", Kind.TenthPercent, 0, 100),
        Param(0x56, "soc_protection_recovery", "Low-SOC protection recovery", Kind.TenthPercent, 0, 100),
        Param(0x57, "soc_low_protection", "Low-SOC protection", Kind.TenthPercent, 0, 100),

        // Capacity (10 mAh). Full-charge and remaining capacity are the BMS's own bookkeeping.
        Param(0x58, "rated_battery_capacity", "Rated capacity", Kind.CentiAmpHours, 10, 600),
        ReadOnlyParam(0x59, "full_charge_capacity", "Full-charge capacity (setting)", Kind.CentiAmpHours, "the BMS's learned capacity; not written by this tool"),
        ReadOnlyParam(0x5A, "remaining_capacity_setting", "Remaining capacity (setting)", Kind.CentiAmpHours, "equals PIA remaining capacity; not written by this tool"),
        Param(0x5B, "stand-by_time", "Standby-to-sleep time", Kind.Hours, 1, 720, "standby_time"),
        Param(0x5C, "forced_output_delay", "Forced output delay", Kind.TenthSeconds, 0.1, 60),
        Param(0x5D, "forced_output_split", "Forced output split", Kind.Minutes, 1, 1440),
        Param(0x5E, "pcs_output_timers", "PCS output timers", Kind.Count, 1, 100),
        Param(0x5F, "compensation_site_1", "Compensation point 1 (cell)", Kind.Count, 0, 16),
        Param(0x60, "compensation_site_1_resistance", "Compensation point 1 resistance", Kind.MilliOhms, 0, 100),
        Param(0x61, "compensation_site_2", "Compensation point 2 (cell)", Kind.Count, 0, 16, "compensating_site_2"),
        Param(0x62, "compensation_site_2_resistance", "Compensation point 2 resistance", Kind.MilliOhms, 0, 100),
        Param(0x63, "cell_diff_pressure_alarm", "Cell difference alarm", Kind.CellVolts, 0.030, 1.000, "cell_difference_alarm"),
        Param(0x64, "diff_pressure_alarm_recovery", "Cell difference alarm recovery", Kind.CellVolts, 0.020, 1.000, "cell_difference_alarm_recovery"),

        // What the BMS asks the inverter for over CAN.
        Param(0x65, "charging_request_voltage", "Charge voltage requested from the inverter", Kind.PackVolts, 48.00, PackMax),
        Param(0x66, "charging_request_current", "Charge current requested from the inverter", Kind.Amps, 1, 400),
        Param(0x67, "discharge_request_current", "Discharge current requested from the inverter", Kind.SignedAmps, -400, -1),
        ReadOnlyParam(0x68, "inverter_protocol", "Inverter CAN protocol", Kind.Count,
            "0 Pylon, 1 Growatt, 2 Goodwe, 3 Sofar, 4 SMA, 5 Victron … (vendor app table only)", uncertain: true),
        ReadOnlyParam(0x69, "current_sensor_correction", "Current-sensor correction factor", Kind.Count, "factory calibration; never written"),
    ];

    private static IEnumerable<FieldDefinition> IdentityAndSystemFields()
    {
        // VIA 0x1700: NUL-padded ASCII; lengths in registers (2 bytes each).
        yield return Text(BlockId.Via, 0x00, 10, "factory_name", "Manufacturer", FieldCategory.Identity);
        yield return Text(BlockId.Via, 0x0A, 10, "device_name", "Model", FieldCategory.Identity);
        yield return Text(BlockId.Via, 0x14, 1, "firmware_version", "Firmware version", FieldCategory.Identity);
        yield return Text(BlockId.Via, 0x15, 15, "bms_serial", "BMS serial number", FieldCategory.Identity);
        yield return Text(BlockId.Via, 0x24, 15, "pack_serial", "Pack serial number", FieldCategory.Identity);

        // PCT 0x1800.
        yield return Field(BlockId.Pct, 0x00, "inverter_protocol_type", "Inverter protocol type (raw)", Kind.Raw, FieldCategory.Inverter) with
        {
            Quantity = Quantity.Count,
            Note = "0x0500 seen with Victron; the byte layout is not documented",
            Uncertain = true,
        };
        yield return Field(BlockId.Pct, 0x01, "inverter_can_rate", "Inverter CAN rate", Kind.Raw, FieldCategory.Inverter) with { Unit = "kbit/s", Quantity = Quantity.Count };
        yield return Text(BlockId.Pct, 0x02, 16, "inverter_name", "Inverter", FieldCategory.Inverter);
        yield return Text(BlockId.Pct, 0x12, 16, "inverter_protocol_name", "Inverter protocol", FieldCategory.Inverter);
        yield return Text(BlockId.Pct, 0x22, 1, "inverter_protocol_version", "Inverter protocol version", FieldCategory.Inverter);
        yield return Field(BlockId.Pct, 0x23, "inverter_pending_type", "Inverter protocol pending type (raw)", Kind.Raw, FieldCategory.Inverter) with { Quantity = Quantity.Count };

        // EIA 0x2000: u32 values low word first, then u16 (C1 and the sp05b capture).
        yield return Long(BlockId.Eia, 0x00, "system_voltage", "System voltage", Kind.PackVolts, 0.01, 2);
        yield return Long(BlockId.Eia, 0x02, "system_current", "System current", Kind.CentiAmps, 0.1, 1, signed: true);
        yield return Long(BlockId.Eia, 0x04, "system_remaining_capacity", "System remaining capacity", Kind.CentiAmpHours, 0.01, 2);
        yield return Long(BlockId.Eia, 0x06, "system_total_capacity", "System full-charge capacity", Kind.CentiAmpHours, 0.01, 2);
        yield return Long(BlockId.Eia, 0x08, "system_discharged_capacity", "System total discharged", Kind.TenAmpHours, 10, 0);
        yield return Long(BlockId.Eia, 0x0A, "system_rated_capacity", "System rated capacity", Kind.CentiAmpHours, 0.01, 2);
        yield return Long(BlockId.Eia, 0x0C, "system_online_packs", "Online packs (bit mask)", Kind.Count, 1, 0);
        yield return Long(BlockId.Eia, 0x0E, "system_protected_packs", "Protected packs (bit mask)", Kind.Count, 1, 0);
        yield return Long(BlockId.Eia, 0x10, "system_max_discharge_current", "System max discharge current", Kind.Amps, 0.1, 1);
        yield return Long(BlockId.Eia, 0x12, "system_max_charge_current", "System max charge current", Kind.Amps, 0.1, 1);
        yield return Field(BlockId.Eia, 0x14, "system_suggested_over_voltage", "Suggested over-voltage", Kind.PackVolts, FieldCategory.System) with { Scale = 0.1, Decimals = 1 };
        yield return Field(BlockId.Eia, 0x15, "system_suggested_under_voltage", "Suggested under-voltage", Kind.PackVolts, FieldCategory.System) with { Scale = 0.1, Decimals = 1 };
        yield return Field(BlockId.Eia, 0x16, "system_pack_count", "Packs in the system", Kind.Count, FieldCategory.System);
        yield return Field(BlockId.Eia, 0x17, "system_cycles", "System cycles", Kind.Count, FieldCategory.System);
        yield return Field(BlockId.Eia, 0x18, "system_soc", "System state of charge", Kind.TenthPercent, FieldCategory.System);
        yield return Field(BlockId.Eia, 0x19, "system_soh", "System state of health", Kind.TenthPercent, FieldCategory.System);

        // EIB 0x2100: the documents' order did not match a capture and the units are disputed.
        // The sp05b capture (one system, one burst repeated) lines up registers 0/1, 4/5 and 8–10
        // with that system's own readings (docs/protocol.md, "EIB evidence"): those are named, in the
        // units the evidence shows, and stay unconfirmed diagnostics; the rest are shown raw.
        var evidence = "sp05b capture only: matches the pack's own reading, not confirmed by a document";
        foreach (var field in (FieldDefinition[])
        [
            Field(BlockId.Eib, 0x00, "eib_max_cell_voltage", "EIB highest cell voltage", Kind.CellVolts, FieldCategory.Diagnostic),
            Field(BlockId.Eib, 0x01, "eib_min_cell_voltage", "EIB lowest cell voltage", Kind.CellVolts, FieldCategory.Diagnostic),
            Field(BlockId.Eib, 0x04, "eib_max_pack_voltage", "EIB highest pack voltage", Kind.PackVolts, FieldCategory.Diagnostic),
            Field(BlockId.Eib, 0x05, "eib_min_pack_voltage", "EIB lowest pack voltage", Kind.PackVolts, FieldCategory.Diagnostic),
            // 229/221 = PIB's 22.9/22.1 °C: 0.1 °C from 0 °C, not 0.1 K from 2731 (that would be −250 °C).
            Field(BlockId.Eib, 0x08, "eib_max_cell_temp", "EIB highest cell temperature", Kind.Raw, FieldCategory.Diagnostic) with { Type = RegisterType.I16, Scale = 0.1, Decimals = 1, Unit = "°C", Quantity = Quantity.Temperature },
            Field(BlockId.Eib, 0x09, "eib_min_cell_temp", "EIB lowest cell temperature", Kind.Raw, FieldCategory.Diagnostic) with { Type = RegisterType.I16, Scale = 0.1, Decimals = 1, Unit = "°C", Quantity = Quantity.Temperature },
            // 225 lies between the two: an average, by inference only.
            Field(BlockId.Eib, 0x0A, "eib_average_cell_temp", "EIB average cell temperature", Kind.Raw, FieldCategory.Diagnostic) with { Type = RegisterType.I16, Scale = 0.1, Decimals = 1, Unit = "°C", Quantity = Quantity.Temperature },
        ])
        {
            yield return field with { Uncertain = true, Note = evidence };
        }
        int[] named = [0x00, 0x01, 0x04, 0x05, 0x08, 0x09, 0x0A];
        for (var offset = 0; offset < 0x16; offset++)
        {
            if (!named.Contains(offset))
            {
                yield return Field(BlockId.Eib, offset, $"eib_register_{offset:x2}", $"EIB 0x{0x2100 + offset:X4} (raw, unconfirmed)", Kind.Raw, FieldCategory.Diagnostic) with { Uncertain = true };
            }
        }
    }
}
