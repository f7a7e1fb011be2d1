using System.Collections.Frozen;

namespace SeplosConsole.Mqtt;

/// <summary>
/// Where this bridge keeps the original tool's MQTT behaviour so Home Assistant installs that
/// used it keep their history and automations (issue 15; docs/mqtt.md, "Upgrading from the
/// original tool"). One table, read by the state values and by discovery.
/// </summary>
internal static class OriginalToolTopics
{
    /// <summary>
    /// The original published power = −V×I (negative while charging, positive while discharging,
    /// as Home Assistant's battery power convention reads it). The map's <c>power</c> is +V×I
    /// (positive while charging, as the current); MQTT keeps the original's sign.
    /// </summary>
    public const string InvertedPowerKey = "power";

    /// <summary>
    /// Keys the original spelled differently. Each value is also published on the old state
    /// topic: the number and its unit are the same, so entities made from the old topic keep
    /// their history at the cost of three retained topics a pack.
    /// </summary>
    public static FrozenDictionary<string, string> LegacyStateKeys { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["pulse_current_limiting_current"] = "pluse_current_limiting_current",
        ["secondary_discharge_over_current_delay"] = "secondary_discharge_over_current__delay",
        ["compensation_site_2"] = "compensating_site_2",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Units the original announced that the map does not carry (a count has none there).</summary>
    public static FrozenDictionary<string, string> Units { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["cycles"] = "cycles",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Counters that only grow: HA's <c>total_increasing</c> makes long-term statistics of the
    /// increase and tolerates a reset, where <c>measurement</c> would average a total.
    /// </summary>
    public static FrozenSet<string> TotalIncreasing { get; } = new[] { "total_discharge_capacity" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The value MQTT publishes for a field's reading.</summary>
    /// <remarks>0 stays 0: .NET formats −0.0 as "-0.0".</remarks>
    public static double Published(string key, double value) => key == InvertedPowerKey && value != 0 ? -value : value;
}
