namespace SeplosConsole.Simulation;

public sealed partial class SimulatedPack
{
    /// <summary>Capacity of the simulated pack (a common 16S 280 Ah LiFePO4 build).</summary>
    private const double RatedCapacityAh = 280;

    /// <summary>
    /// SPA values a fresh pack reports, by map key: the C1 column of the register reference's
    /// SPA table (a real 16S pack), except the capacities, which are this pack's 280 Ah.
    /// Only values live here; offsets, scales and types come from <see cref="Seplos.SeplosMap"/>.
    /// </summary>
    /// <summary>
    /// SFA function switches as a real master sent them, unpaired, every cycle of the sp05b capture
    /// (register reference, "Captures"): most protections on, TB11 with two bits the documents do
    /// not name (they show up as unknown bits, as on that system).
    /// </summary>
    internal static ReadOnlySpan<byte> SfaImage => [0xFF, 0xFF, 0x3F, 0x01, 0x7F, 0x2F, 0x9F, 0x0F, 0x63, 0x6F];

    internal static IReadOnlyDictionary<string, double> SpaDefaults { get; } = new Dictionary<string, double>
    {
        ["ntc_count"] = 4,
        ["cell_count"] = 16,

        // Pack voltage thresholds.
        ["battery_high_voltage_recovery"] = 54.00,
        ["battery_high_voltage_alarm"] = 56.00,
        ["battery_over_voltage_recovery"] = 54.00,
        ["battery_over_voltage_protection"] = 57.60,
        ["battery_low_voltage_recovery"] = 48.00,
        ["battery_low_voltage_alarm"] = 46.40,
        ["battery_under_voltage_recovery"] = 48.00,
        ["battery_under_voltage_protection"] = 43.20,

        // Cell voltage thresholds.
        ["cell_high_voltage_recovery"] = 3.400,
        ["cell_high_voltage_alarm"] = 3.500,
        ["cell_over_voltage_recovery"] = 3.400,
        ["cell_over_voltage_protection"] = 3.650,
        ["cell_low_voltage_recovery"] = 3.100,
        ["cell_low_voltage_alarm"] = 2.900,
        ["cell_under_voltage_recovery"] = 3.100,
        ["cell_under_voltage_protection"] = 2.700,
        ["cell_under_voltage_failure"] = 2.000,
        ["cell_diff_pressure_protection"] = 1.000,
        ["diff_pressure_protection_recovery"] = 0.500,

        // Currents; discharge thresholds are negative in C1.
        ["charge_over_current_recovery"] = 203,
        ["charge_over_current_alarm"] = 205,
        ["charge_over_current_protection"] = 210,
        ["charge_over_current_delay"] = 10.0,
        ["secondary_charge_over_current_protection"] = 300,
        ["secondary_charge_over_current_delay"] = 300,
        ["discharge_over_current_recovery"] = -203,
        ["discharge_over_current_alarm"] = -205,
        ["discharge_over_current_protection"] = -210,
        ["discharge_over_current_delay"] = 10.0,
        ["secondary_discharge_over_current_protection"] = -350,
        ["secondary_discharge_over_current_delay"] = 300,
        ["output_short_circuit_protection"] = -300,
        ["output_short_circuit_delay"] = 106,
        ["over_current_recovery_delay"] = 60.0,
        ["number_of_over_current_lock_times"] = 5,
        ["charge_high_switch_limited_time"] = 300.0,
        ["pulse_current_limiting_current"] = 205,
        ["pulse_time"] = 1.0,
        ["float_charge_lock_voltage"] = 3.500,
        ["float_charge_release_voltage"] = 3.400,
        ["float_charge_lock_current"] = 1500,
        ["precharge_short_percent"] = 100.0,
        ["precharge_stop_percent"] = 80.0,
        ["precharge_fault_percent"] = 20.0,
        ["precharge_over_time"] = 3.0, // C1 shows raw 30; the map scales it by 0.1 s

        // Charge, discharge, environment and power temperatures (°C).
        ["charge_high_temperature_recovery"] = 47.0,
        ["charge_high_temperature_alarm"] = 50.0,
        ["charge_over_temperature_recovery"] = 50.0,
        ["charge_over_temperature_protection"] = 55.0,
        ["charge_low_temperature_recovery"] = 5.0,
        ["charge_low_temperature_alarm"] = 3.0,
        ["charge_under_temperature_recovery"] = 2.0,
        ["charge_under_temperature_protection"] = 0.0,
        ["discharge_high_temperature_recovery"] = 50.0,
        ["discharge_high_temperature_alarm"] = 55.0,
        ["discharge_over_temperature_recovery"] = 55.0,
        ["discharge_over_temperature_protection"] = 60.0,
        ["discharge_low_temperature_recovery"] = 3.0,
        ["discharge_low_temperature_alarm"] = 0.0,
        ["discharge_under_temperature_recovery"] = 1.0,
        ["discharge_under_temperature_protection"] = -3.0,
        ["high_ambient_temperature_recovery"] = 47.0,
        ["high_ambient_temperature_alarm"] = 50.0,
        ["over_ambient_temperature_recovery"] = 55.0,
        ["over_ambient_temperature_protection"] = 60.0,
        ["low_ambient_temperature_recovery"] = 3.0,
        ["low_ambient_temperature_alarm"] = 0.0,
        ["under_ambient_temperature_recovery"] = 0.0,
        ["under_ambient_temperature_protection"] = -10.0,
        ["power_high_temperature_recovery"] = 85.0,
        ["power_high_temperature_alarm"] = 95.0,
        ["power_over_temperature_recovery"] = 85.0,
        ["power_over_temperature_protection"] = 110.0,

        // Heating and balancing.
        ["temperature_regulate_stop"] = 10.0,
        ["temperature_regulate_open"] = 0.0,
        ["equalization_high_temperature_prohibition"] = 50.0,
        ["equalization_low_temperature_prohibition"] = 0.0,
        ["static_equalization_timing"] = 10,
        ["equalization_open_voltage"] = 3.400,
        ["equalization_open_difference_pressure"] = 0.050,
        ["equalization_stop_difference_pressure"] = 0.030,

        // SOC thresholds.
        ["power_supply_soc"] = 96.0,
        ["soc_low_recovery"] = 8.0,
        ["soc_low_alarm"] = 5.0,
        ["soc_protection_recovery"] = 5.0,
        ["soc_low_protection"] = 3.0,

        // Capacity and timers; remaining capacity is written by the model on every update.
        ["rated_battery_capacity"] = RatedCapacityAh,
        ["full_charge_capacity"] = RatedCapacityAh,
        ["remaining_capacity_setting"] = RatedCapacityAh * 0.6,
        ["stand-by_time"] = 48,
        ["forced_output_delay"] = 6.0,
        ["forced_output_split"] = 240,
        ["pcs_output_timers"] = 10,
        ["compensation_site_1"] = 7,
        ["compensation_site_1_resistance"] = 0,
        ["compensation_site_2"] = 13,
        ["compensation_site_2_resistance"] = 0,
        ["cell_diff_pressure_alarm"] = 0.500,
        ["diff_pressure_alarm_recovery"] = 0.300,

        // What the pack asks the inverter for; 0 = Pylon, matching the PCT name below.
        ["charging_request_voltage"] = 57.60,
        ["charging_request_current"] = 180,
        ["discharge_request_current"] = -180,
        ["inverter_protocol"] = 0,
        ["current_sensor_correction"] = 8,
    };
}
