using Microsoft.Extensions.Time.Testing;
using SeplosConsole.Seplos;
using SeplosConsole.Simulation;

namespace SeplosConsole.Tests.Simulation;

public sealed class SimulatedPackTests
{
    private static readonly SimulatorOptions Options = new() { Seed = 7, CyclePeriod = TimeSpan.FromMinutes(40) };

    [Fact]
    public void Fresh_pack_reports_a_plausible_16S_LiFePO4_state()
    {
        var pack = new SimulatedPack(0, Options, new FakeTimeProvider());

        var cells = Enumerable.Range(1, 16).Select(i => pack.Value($"cell_{i}")!.Value).ToArray();
        Assert.All(cells, v => Assert.InRange(v, 3.25, 3.35));
        Assert.InRange(pack.Value("pack_voltage")!.Value, cells.Sum() - 0.011, cells.Sum() + 0.011);
        Assert.InRange(pack.Value("pack_voltage")!.Value, 52, 54);
        Assert.Equal(cells.Max(), pack.Value("max_cell_voltage"));
        Assert.Equal(cells.Min(), pack.Value("min_cell_voltage"));
        Assert.InRange(pack.Value("average_cell_voltage")!.Value, cells.Min(), cells.Max());
        Assert.Equal(280.00, pack.Value("total_capacity"));
        Assert.InRange(pack.Value("soc")!.Value, 50, 70);
        Assert.InRange(pack.Value("soh")!.Value, 99, 100);
        for (var sensor = 1; sensor <= 4; sensor++)
        {
            Assert.InRange(pack.Value($"cell_temp_{sensor}")!.Value, 19, 26);
        }
        Assert.Equal(0.0, pack.Value("cell_temp_5")); // not fitted: raw 2731
        Assert.InRange(pack.Value("environment_temp")!.Value, 20, 25);
        Assert.InRange(pack.Value("power_temp")!.Value, 20, 30);
        Assert.True(pack.Flag("charge_fet_on"));
        Assert.True(pack.Flag("discharge_fet_on"));
    }

    [Fact]
    public void Spa_defaults_are_the_values_of_the_real_pack_in_capture_C1()
    {
        var pack = new SimulatedPack(0, Options, new FakeTimeProvider());

        Assert.Equal(46.40, pack.Value("battery_low_voltage_alarm"));
        Assert.Equal(57.60, pack.Value("battery_over_voltage_protection"));
        Assert.Equal(3.650, pack.Value("cell_over_voltage_protection"));
        Assert.Equal(16, pack.Value("cell_count"));
        Assert.Equal(4, pack.Value("ntc_count"));
        Assert.Equal(50.0, pack.Value("charge_high_temperature_alarm"));
        Assert.Equal(-3.0, pack.Value("discharge_under_temperature_protection"));
        Assert.Equal(-210, pack.Value("discharge_over_current_protection"));
        Assert.Equal(-180, pack.Value("discharge_request_current"));
        Assert.Equal(280.00, pack.Value("rated_battery_capacity"));
        Assert.Equal(pack.Value("remaining_capacity"), pack.Value("remaining_capacity_setting"));
    }

    [Fact]
    public void Every_spa_field_of_the_map_has_a_default_and_no_default_names_another_field()
    {
        var spaKeys = SeplosMap.FieldsOf(BlockId.Spa).Select(f => f.Key).Order().ToArray();

        Assert.Equal(spaKeys, SimulatedPack.SpaDefaults.Keys.Order().ToArray());
    }

    [Fact]
    public void Identity_is_the_vendor_one_and_the_serial_differs_by_address()
    {
        var first = new SimulatedPack(0, Options, new FakeTimeProvider());
        var second = new SimulatedPack(1, Options, new FakeTimeProvider());

        Assert.Equal("XZH-ElecTech Co.,Ltd", first.Text("factory_name"));
        Assert.Equal("SG16S200A-SP57B-A", first.Text("device_name"));
        Assert.Equal("15", first.Text("firmware_version"));
        Assert.Equal("Pylon CAN Protocol", first.Text("inverter_protocol_name"));
        Assert.Equal(500, first.Value("inverter_can_rate"));
        Assert.Contains("00", first.Text("bms_serial"), StringComparison.Ordinal);
        Assert.Contains("01", second.Text("bms_serial"), StringComparison.Ordinal);
        Assert.NotEqual(first.Text("bms_serial"), second.Text("bms_serial"));
    }

    [Fact]
    public void Charge_rest_discharge_cycle_moves_current_soc_and_state_flags()
    {
        var pack = new SimulatedPack(0, Options, new FakeTimeProvider());
        var startSoc = pack.Value("soc")!.Value;

        pack.Step(TimeSpan.FromMinutes(10)); // charging phase (0–15 min of 40)
        Assert.InRange(pack.Value("current")!.Value, 20, 40);
        Assert.True(pack.Flag("charging"));
        Assert.False(pack.Flag("standby"));
        var chargedSoc = pack.Value("soc")!.Value;
        Assert.True(chargedSoc > startSoc, $"SOC {chargedSoc} should rise from {startSoc} while charging");

        pack.Step(TimeSpan.FromMinutes(7)); // rest (15–20 min)
        Assert.Equal(0, pack.Value("current"));
        Assert.True(pack.Flag("standby"));

        pack.Step(TimeSpan.FromMinutes(10)); // discharging (20–35 min)
        Assert.InRange(pack.Value("current")!.Value, -40, -20);
        Assert.True(pack.Flag("discharging"));
        Assert.True(pack.Value("soc") < chargedSoc);
        var cells = Enumerable.Range(1, 16).Sum(i => pack.Value($"cell_{i}")!.Value);
        Assert.InRange(pack.Value("pack_voltage")!.Value, cells - 0.011, cells + 0.011);
    }

    [Fact]
    public void Power_temperature_follows_the_current()
    {
        var pack = new SimulatedPack(0, Options, new FakeTimeProvider());
        var atStart = pack.Value("power_temp")!.Value;

        pack.Step(TimeSpan.FromMinutes(14)); // 14 minutes at ~25 A
        var underLoad = pack.Value("power_temp")!.Value;
        pack.Step(TimeSpan.FromMinutes(5)); // resting
        var rested = pack.Value("power_temp")!.Value;

        Assert.True(underLoad > atStart + 2, $"power temperature {underLoad} should rise from {atStart} under load");
        Assert.True(rested < underLoad, $"power temperature {rested} should fall from {underLoad} at rest");
    }

    [Fact]
    public void Balancing_bits_are_set_on_cells_more_than_15_mV_above_the_lowest()
    {
        var pack = new SimulatedPack(3, Options, new FakeTimeProvider());
        var sawBalancing = false;

        for (var minute = 0; minute < 40; minute++)
        {
            pack.Step(TimeSpan.FromMinutes(1));
            var cells = Enumerable.Range(1, 16).Select(i => pack.Value($"cell_{i}")!.Value).ToArray();
            for (var i = 0; i < 16; i++)
            {
                var aboveLowest = Math.Round((cells[i] - cells.Min()) * 1000);
                Assert.Equal(aboveLowest > 15, pack.Flag($"cell_{i + 1}_balancing"));
                sawBalancing |= aboveLowest > 15;
            }
        }
        Assert.True(sawBalancing, "the high cell should be balanced while charging");
    }

    [Fact]
    public void Alarm_bits_follow_the_thresholds_of_its_own_spa()
    {
        var pack = new SimulatedPack(0, Options, new FakeTimeProvider());
        Assert.DoesNotContain(SeplosMap.FlagsOf(BlockId.Pic), f => f.IsProblem && pack.Flag(f.Key));

        pack.SetParameter("cell_high_voltage_alarm", 3.000);
        pack.SetParameter("battery_low_voltage_alarm", 55.00);
        pack.SetParameter("cell_over_voltage_protection", 3.100);

        Assert.True(pack.Flag("cell_high_voltage_alarm_active"));
        Assert.All(Enumerable.Range(1, 16), i => Assert.True(pack.Flag($"cell_{i}_high_voltage_alarm")));
        Assert.True(pack.Flag("pack_low_voltage_alarm_active"));
        Assert.True(pack.Flag("cell_over_voltage_protection_active"));
        Assert.False(pack.Flag("charge_fet_on"));

        pack.Step(TimeSpan.FromMinutes(5)); // the charging phase, but the charge MOSFET is open
        Assert.Equal(0, pack.Value("current"));
    }

    [Fact]
    public void Same_seed_and_time_give_the_same_registers()
    {
        var first = new SimulatedPack(2, Options, new FakeTimeProvider());
        var second = new SimulatedPack(2, Options, new FakeTimeProvider());
        first.Step(TimeSpan.FromMinutes(12));
        second.Step(TimeSpan.FromMinutes(12));

        foreach (var block in SeplosMap.Blocks)
        {
            Assert.Equal(first.Image(block.Id), second.Image(block.Id));
        }
    }

    [Fact]
    public void Update_advances_the_model_by_the_time_provider()
    {
        var time = new FakeTimeProvider();
        var pack = new SimulatedPack(0, Options, time);
        var before = pack.Value("remaining_capacity")!.Value;

        time.Advance(TimeSpan.FromMinutes(10));
        pack.Update();

        // ~25 A for 10 minutes ≈ 4.2 Ah.
        Assert.InRange(pack.Value("remaining_capacity")!.Value - before, 3.8, 4.6);
    }
}
