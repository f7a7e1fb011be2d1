namespace SeplosConsole.Mqtt;

/// <summary>
/// The topic layout. State topics keep the original tool's names so existing Home Assistant
/// installs keep their entities.
/// </summary>
public sealed class MqttTopics(string prefix, string discoveryPrefix)
{
    public const string Online = "online";
    public const string Offline = "offline";

    public string Prefix { get; } = prefix.TrimEnd('/');
    public string DiscoveryPrefix { get; } = discoveryPrefix.TrimEnd('/');

    /// <summary>Bridge availability; also the last will, so a crashed bridge reads offline.</summary>
    public string BridgeAvailability => $"{Prefix}/bridge/state";

    /// <summary>Retained record of the discovery configs this bridge announced (<see cref="AnnouncedEntities"/>).</summary>
    public string DiscoveryRecord => $"{Prefix}/bridge/discovery";

    /// <summary>A topic only this connection uses: its own message coming back marks the end of the retained ones.</summary>
    public string Sync(string clientId) => $"{Prefix}/bridge/sync/{clientId}";

    /// <summary>HA publishes its birth message (<c>online</c>) here when it starts.</summary>
    public string HomeAssistantStatus => $"{DiscoveryPrefix}/status";

    public string Pack(byte address) => $"{Prefix}/battery_{address}";

    public string PackAvailability(byte address) => $"{Pack(address)}/state";

    /// <summary>One retained JSON document per pack per poll, for remote viewers and scripts (<see cref="PackSnapshotMessage"/>).</summary>
    public string Snapshot(byte address) => $"{Pack(address)}/snapshot";

    public string State(byte address, string key) => $"{Pack(address)}/{key}";

    public string Command(byte address, string key) => $"{Pack(address)}/{key}/set";

    public string CommandResult(byte address, string key) => $"{Pack(address)}/{key}/result";

    /// <summary>Subscription for one writable key on every pack.</summary>
    public string CommandFilter(string key) => $"{Prefix}/+/{key}/set";

    public static string NodeId(byte address) => $"seplos_bms_{address}";

    public static string UniqueId(byte address, string key) => $"seplos_battery_{address}_{key}";

    public string DiscoveryConfig(string component, byte address, string key) => $"{DiscoveryPrefix}/{component}/{NodeId(address)}/{key}/config";

    /// <summary>Reads address and key from a command topic, or null when it is not one of ours.</summary>
    public (byte Address, string Key)? ParseCommand(string topic)
    {
        var head = Prefix + "/battery_";
        if (!topic.StartsWith(head, StringComparison.Ordinal) || !topic.EndsWith("/set", StringComparison.Ordinal))
        {
            return null;
        }
        var middle = topic[head.Length..^"/set".Length];
        var slash = middle.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !byte.TryParse(middle[..slash], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var address))
        {
            return null;
        }
        var key = middle[(slash + 1)..];
        return key.Length == 0 || key.Contains('/', StringComparison.Ordinal) ? null : (address, key);
    }
}
