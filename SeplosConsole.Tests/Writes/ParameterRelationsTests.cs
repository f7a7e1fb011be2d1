using SeplosConsole.Seplos;
using SeplosConsole.Services.Writes;

namespace SeplosConsole.Tests.Writes;

public sealed class ParameterRelationsTests : WritePipelineTestBase
{
    [Fact]
    public void Every_relation_names_writable_spa_parameters()
    {
        foreach (var relation in ParameterRelations.All)
        {
            foreach (var key in new[] { relation.LowerKey, relation.UpperKey })
            {
                var field = SeplosMap.FindField(key);
                Assert.True(field is { Block: BlockId.Spa, Writable: true, Key: var k } && k == key, $"{relation.Rule}: {key}");
            }
        }
    }

    [Fact]
    public async Task The_reference_pack_C1_keeps_every_relation()
        => Assert.Empty(ParameterRelations.AllViolations(await ReadPack()));

    [Fact]
    public void No_writable_parameter_lies_outside_spa()
    {
        Assert.All(SeplosMap.WritableParameters, f => Assert.InRange(f.Address, (ushort)0x1300, (ushort)0x1369));
        Assert.All(SeplosMap.WritableParameters, f => Assert.NotNull(ParameterResolver.Resolve(f.Key).Field));
    }

    [Theory]
    [InlineData("battery_low_voltage_alarm", "battery_low_voltage_alarm")]
    [InlineData("Battery Low Voltage Alarm", "battery_low_voltage_alarm")]
    [InlineData("stand-by_time", "stand-by_time")]
    [InlineData("standby_time", "stand-by_time")]
    public void Resolution_ignores_case_spaces_and_accepts_aliases(string typed, string expected)
    {
        var field = ParameterResolver.Resolve(typed).Field;
        Assert.NotNull(field);
        Assert.Equal(expected, field.Key);
    }

    [Fact]
    public void Suggestions_find_a_name_that_contains_what_was_typed()
        => Assert.Contains("battery_low_voltage_alarm", ParameterResolver.Suggestions("low_voltage_alarm"));
}
