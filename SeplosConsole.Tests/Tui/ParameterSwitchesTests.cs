using SeplosConsole.Seplos;
using SeplosConsole.Tui;

namespace SeplosConsole.Tests.Tui;

public class ParameterSwitchesTests
{
    [Fact]
    public void The_parameters_table_ends_with_a_read_only_switches_section_showing_each_sfa_switch()
    {
        var source = new ParameterTableSource
        {
            Snapshot = SnapshotBuilder.Typical().Flag("buzzer_enabled").Flag("cell_over_voltage_protection_enabled").Build(DashboardHarness.Start),
        };

        var heading = source.Parameters.Count;
        Assert.Equal(ParameterTableSource.SwitchesHeading, source[heading, 0]);
        Assert.Equal(source.Parameters.Count + 1 + SeplosMap.FlagsOf(BlockId.Sfa).Length, source.Rows);
        Assert.Equal(heading + 1 + source.Switches.Count - 1, source.RowOf(source.Switches[^1].Key));
        var buzzer = source.RowOf("buzzer_enabled");
        Assert.Equal(("buzzer_enabled", "on", "no"), (source[buzzer, 0], source[buzzer, 1], source[buzzer, 4]));
        Assert.Equal("on", source[source.RowOf("cell_over_voltage_protection_enabled"), 1]);
        Assert.Equal("off", source[source.RowOf("lcd_display_enabled"), 1]);
        // TB08 is disputed (PIC byte 16): its switches carry the unconfirmed mark.
        Assert.Equal("history_recording_enabled ?", source[source.RowOf("history_recording_enabled"), 0]);
    }

    [Fact]
    public void Switches_are_settings_never_alarms_even_when_all_are_on()
    {
        var builder = SnapshotBuilder.Typical();
        foreach (var flag in SeplosMap.FlagsOf(BlockId.Sfa))
        {
            builder.Flag(flag.Key);
        }

        var snapshot = builder.Build(DashboardHarness.Start);

        Assert.All(SeplosMap.FlagsOf(BlockId.Sfa), f => Assert.Equal(FlagKind.Setting, f.Kind));
        Assert.Empty(snapshot.ActiveProblems);
    }
}
