using SeplosConsole.Seplos;
using SeplosConsole.Services.Writes;

namespace SeplosConsole.Tests.Writes;

public sealed class RestorePlannerTests : WritePipelineTestBase
{
    /// <summary>True when every rule touched by each step holds right after it, applying the steps in the given order.</summary>
    private static bool KeepsRelationsAtEachStep(SpaValues start, IEnumerable<(string Key, double Value)> steps)
    {
        var state = start;
        foreach (var (key, value) in steps)
        {
            var field = SeplosMap.FindField(key)!;
            state = state.With(field, field.ToRaw(value)!.Value);
            if (ParameterRelations.Violations(state, key).Count > 0)
            {
                return false;
            }
        }
        return true;
    }

    [Fact]
    public async Task Moving_the_high_voltage_group_up_raises_the_alarm_before_its_recovery()
    {
        var current = await ReadPack();
        // In register order the recovery would pass the still-unchanged alarm (56.50 V ≥ 56.00 V).
        (string, double)[] targets =
        [
            ("battery_high_voltage_recovery", 56.50),
            ("battery_high_voltage_alarm", 57.00),
            ("battery_over_voltage_recovery", 56.50),
            ("battery_over_voltage_protection", 58.40),
        ];
        Assert.False(KeepsRelationsAtEachStep(current, targets));

        var plan = RestorePlanner.Plan(current, targets.ToDictionary(t => t.Item1, t => t.Item2));

        Assert.True(plan.IsSafe);
        Assert.Equal(4, plan.Steps.Count);
        var order = plan.Steps.Select(s => s.Field.Key).ToList();
        Assert.True(order.IndexOf("battery_high_voltage_alarm") < order.IndexOf("battery_high_voltage_recovery"));
        Assert.True(KeepsRelationsAtEachStep(current, plan.Steps.Select(s => (s.Field.Key, s.Field.ToValue(s.ToRaw)))));
    }

    [Fact]
    public async Task Moving_cell_and_pack_high_groups_down_lowers_recoveries_first_and_protections_last()
    {
        var current = await ReadPack();
        // Protections first (as a dictionary might list them) would put the protection under the alarm.
        (string, double)[] targets =
        [
            ("cell_over_voltage_protection", 3.450),
            ("battery_over_voltage_protection", 55.20),
            ("cell_high_voltage_alarm", 3.350),
            ("battery_high_voltage_alarm", 53.60),
            ("cell_high_voltage_recovery", 3.300),
            ("battery_high_voltage_recovery", 52.80),
            ("cell_over_voltage_recovery", 3.300),
            ("battery_over_voltage_recovery", 52.80),
        ];
        Assert.False(KeepsRelationsAtEachStep(current, targets));

        var plan = RestorePlanner.Plan(current, targets.ToDictionary(t => t.Item1, t => t.Item2));

        Assert.True(plan.IsSafe, string.Join("\n", plan.Blocked));
        Assert.Equal(8, plan.Steps.Count);
        var order = plan.Steps.Select(s => s.Field.Key).ToList();
        Assert.True(order.IndexOf("cell_high_voltage_recovery") < order.IndexOf("cell_high_voltage_alarm"));
        Assert.True(order.IndexOf("cell_high_voltage_alarm") < order.IndexOf("cell_over_voltage_protection"));
        Assert.True(KeepsRelationsAtEachStep(current, plan.Steps.Select(s => (s.Field.Key, s.Field.ToValue(s.ToRaw)))));
    }

    [Fact]
    public async Task Restore_steps_run_through_the_pipeline_and_end_at_the_targets()
    {
        var current = await ReadPack();
        var targets = new Dictionary<string, double>
        {
            ["battery_high_voltage_recovery"] = 56.50,
            ["battery_high_voltage_alarm"] = 57.00,
            ["battery_low_voltage_alarm"] = 46.40, // already so: no step
        };

        var plan = RestorePlanner.Plan(current, targets);
        foreach (var step in plan.Steps)
        {
            var outcome = await Writer.ExecuteAsync(step.ToRequest(), Confirmations.Automatic, CancellationToken.None);
            Assert.Equal(WriteResult.Confirmed, outcome.Result);
        }

        Assert.Equal(2, plan.Steps.Count);
        Assert.Equal(5650, Pack.Raw("battery_high_voltage_recovery"));
        Assert.Equal(5700, Pack.Raw("battery_high_voltage_alarm"));
        var journal = Journal.Read();
        Assert.Equal(["sending", "confirmed", "sending", "confirmed"], journal.Select(e => e.Result));
        Assert.All(journal, e => Assert.Equal("restore", e.Source));
    }

    [Fact]
    public async Task Target_set_that_breaks_a_relation_in_any_order_is_reported_with_the_blocking_rule()
    {
        var current = await ReadPack();

        var plan = RestorePlanner.Plan(current, new Dictionary<string, double>
        {
            ["battery_high_voltage_recovery"] = 57.00, // alarm stays at 56.00 V
            ["cell_count"] = 15,
        });

        Assert.False(plan.IsSafe);
        Assert.Empty(plan.Steps);
        Assert.Contains(plan.Blocked, b => b.StartsWith("cell_count: read-only", StringComparison.Ordinal));
        Assert.Contains(plan.Blocked, b => b.Contains("rule 'pack voltage: high recovery < high alarm' broken", StringComparison.Ordinal));
    }
}
