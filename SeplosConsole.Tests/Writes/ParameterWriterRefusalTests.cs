using SeplosConsole.Services.Writes;

namespace SeplosConsole.Tests.Writes;

public sealed class ParameterWriterRefusalTests : WritePipelineTestBase
{
    private async Task<WriteOutcome> RefusedWithoutWriting(string key, string value, bool force = false)
    {
        var before = (ushort[])Pack.Registers.Clone();
        var outcome = await Write(key, value, force);
        Assert.Equal(WriteResult.Refused, outcome.Result);
        Assert.False(outcome.Succeeded);
        Assert.StartsWith("refused: ", outcome.Message, StringComparison.Ordinal);
        Assert.Empty(Pack.Writes);
        Assert.Equal(before, Pack.Registers);
        return outcome;
    }

    [Fact]
    public async Task Unknown_key_is_refused_with_the_closest_names()
    {
        var outcome = await RefusedWithoutWriting("batery_low_voltage_alarm", "45");
        Assert.Contains("unknown parameter 'batery_low_voltage_alarm'", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("did you mean battery_low_voltage_alarm", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(0, Pack.Reads);
    }

    [Fact]
    public async Task Read_only_key_is_refused_with_its_note()
    {
        var outcome = await RefusedWithoutWriting("cell_count", "15");
        Assert.Contains("read-only: cell_count: hardware configuration", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uncertain_key_is_refused_even_though_it_is_in_spa()
    {
        var outcome = await RefusedWithoutWriting("float_charge_lock_voltage", "3.45");
        Assert.Contains("uncertain", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_reading_is_refused_as_not_a_parameter()
    {
        var outcome = await RefusedWithoutWriting("pack_voltage", "50");
        Assert.Contains("not a parameter", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_that_is_not_a_number_is_refused_with_an_example()
    {
        var outcome = await RefusedWithoutWriting("battery_low_voltage_alarm", "abc");
        Assert.Contains("'abc' is not a number", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("40.00 V", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decimal_comma_is_refused_with_a_hint()
    {
        var outcome = await RefusedWithoutWriting("battery_low_voltage_alarm", "45,5");
        Assert.Contains("use '.' as the decimal point", outcome.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("battery_low_voltage_alarm", "45 A")]
    [InlineData("battery_low_voltage_alarm", "45mV")]
    [InlineData("charge_over_temperature_protection", "52 V")]
    public async Task Wrong_unit_is_refused(string key, string value)
    {
        var outcome = await RefusedWithoutWriting(key, value);
        Assert.Contains("wrong unit", outcome.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("battery_low_voltage_alarm", "70", "40.00 … 58.40 V")]
    [InlineData("cell_over_voltage_protection", "3.9", "2.500 … 3.650 V")]
    [InlineData("discharge_over_current_protection", "10", "-400 … -1 A")]
    public async Task Value_outside_the_safe_range_is_refused_even_with_force(string key, string value, string range)
    {
        var outcome = await RefusedWithoutWriting(key, value, force: true);
        Assert.Contains("outside the safe range", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains(range, outcome.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("battery_low_voltage_alarm", "48.5", "pack voltage: low alarm < low recovery", "48.50 V", "48.00 V")]
    [InlineData("battery_under_voltage_protection", "41", "cell × series ≈ pack: under voltage protection", "41.00 V", "43.20 V")]
    [InlineData("cell_high_voltage_recovery", "3.55", "cell voltage: high recovery < high alarm", "3.550 V", "3.500 V")]
    [InlineData("cell_under_voltage_failure", "2.7", "cell voltage: under-voltage failure < under protection", "2.700 V", "2.700 V")]
    [InlineData("charge_high_temperature_recovery", "50.5", "charge temperature: high recovery < high alarm", "50.5 °C", "50.0 °C")]
    [InlineData("discharge_under_temperature_protection", "1", "discharge temperature: under protection ≤ low alarm", "1.0 °C", "0.0 °C")]
    [InlineData("soc_low_protection", "5.5", "SOC: under protection ≤ low alarm", "5.5 %", "5.0 %")]
    [InlineData("equalization_stop_difference_pressure", "0.06", "balancing: stop difference < start difference", "0.060 V", "0.050 V")]
    [InlineData("diff_pressure_alarm_recovery", "0.55", "cell difference: alarm recovery < alarm", "0.550 V", "0.500 V")]
    [InlineData("charge_over_current_alarm", "212", "charge current: alarm ≤ protection", "212 A", "210 A")]
    [InlineData("discharge_over_current_alarm", "-200", "discharge current: |recovery| < |alarm|", "-200 A", "-203 A")]
    [InlineData("discharge_over_current_alarm", "-212", "discharge current: |alarm| ≤ |protection|", "-212 A", "-210 A")]
    public async Task Change_that_breaks_a_relation_is_refused_naming_the_rule_and_both_values_even_with_force(
        string key, string value, string rule, string newValue, string otherValue)
    {
        var outcome = await RefusedWithoutWriting(key, value, force: true);
        Assert.Contains($"rule '{rule}' broken", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains(newValue, outcome.Reason, StringComparison.Ordinal);
        Assert.Contains(otherValue, outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("accepted:", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Change_of_more_than_20_percent_is_refused_without_force_and_says_what_would_pass()
    {
        var outcome = await RefusedWithoutWriting("charge_over_current_delay", "20");
        Assert.Contains("more than 20 %", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("without force it may go to 8.0 … 12.0 s", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("--force", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Change_to_zero_is_refused_without_force()
    {
        var outcome = await RefusedWithoutWriting("soc_low_protection", "0");
        Assert.Contains("a change to zero", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Change_from_zero_is_refused_without_force()
    {
        var outcome = await RefusedWithoutWriting("compensation_site_1_resistance", "5");
        Assert.Contains("a change from zero", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Force_lets_a_large_change_and_a_change_to_zero_through_with_a_warning()
    {
        var large = await Writer.PrepareAsync(new("charge_over_current_delay", "20", Force: true), CancellationToken.None);
        Assert.True(large.IsReady);
        Assert.Contains(large.Plan!.Warnings, w => w.StartsWith("forced: a change of 100 %", StringComparison.Ordinal));

        var toZero = await Write("soc_low_protection", "0", force: true);
        Assert.Equal(WriteResult.Confirmed, toZero.Result);
        Assert.Equal(0, Pack.Raw("soc_low_protection"));
    }

    [Fact]
    public async Task Temperature_change_near_zero_celsius_is_measured_on_the_raw_register_and_needs_no_force()
    {
        // 0.0 °C → −3.0 °C is raw 2731 → 2701 (1 %), not a change "from zero".
        var outcome = await Write("charge_under_temperature_protection", "-3");
        Assert.Equal(WriteResult.Confirmed, outcome.Result);
        Assert.Equal(2701, Pack.Raw("charge_under_temperature_protection"));
    }

    [Fact]
    public async Task Same_value_as_now_is_no_change_and_writes_nothing()
    {
        var outcome = await Write("battery_low_voltage_alarm", "46.4 V");
        Assert.Equal(WriteResult.NoChange, outcome.Result);
        Assert.StartsWith("no change: battery_low_voltage_alarm already holds 46.40 V", outcome.Message, StringComparison.Ordinal);
        Assert.Empty(Pack.Writes);
    }
}
