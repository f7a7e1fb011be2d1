using SeplosConsole.Mqtt;

namespace SeplosConsole.Tests.Mqtt;

/// <summary>The previous run's record of announced configs, read back: damaged records are said, never acted on.</summary>
public sealed class AnnouncedEntitiesTests
{
    private static readonly MqttTopics Topics = new("seplos", "homeassistant");

    private static readonly HashSet<string> Possible = new(StringComparer.Ordinal) { Topics.DiscoveryConfig("sensor", 0, "soc") };

    [Fact]
    public void A_readable_record_gives_the_configs_no_longer_offered()
    {
        var announced = new AnnouncedEntities(Topics);

        var stale = announced.Load("""{"discovery_prefix":"homeassistant","configs":["sensor/seplos_bms_0/soc/config","number/seplos_bms_0/soc_low_alarm/config"]}""", Possible);

        Assert.True(announced.Loaded);
        Assert.Null(announced.Unreadable);
        Assert.Equal(new[] { "homeassistant/number/seplos_bms_0/soc_low_alarm/config" }, stale);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"discovery_prefix":"homeassistant","configs":[1]}""")]
    [InlineData("""{"discovery_prefix":7,"configs":[]}""")]
    [InlineData("""["sensor/seplos_bms_0/soc/config"]""")]
    public void A_damaged_record_removes_nothing_and_says_why(string record)
    {
        var announced = new AnnouncedEntities(Topics);

        var stale = announced.Load(record, Possible);

        Assert.Empty(stale);
        Assert.True(announced.Loaded);
        Assert.False(string.IsNullOrEmpty(announced.Unreadable));
    }

    [Fact]
    public void No_record_at_all_is_not_damage()
    {
        var announced = new AnnouncedEntities(Topics);

        Assert.Empty(announced.Load(null, Possible));
        Assert.Null(announced.Unreadable);
    }
}
