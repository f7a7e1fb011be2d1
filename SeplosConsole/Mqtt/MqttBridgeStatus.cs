namespace SeplosConsole.Mqtt;

/// <summary>Where the bridge's one connection is; the dashboard's status bar shows it.</summary>
public enum MqttConnectionState
{
    Disconnected,
    Connecting,
    Connected,
}

/// <summary>A copy of the bridge's connection state at one moment.</summary>
/// <param name="LastError">Why the last attempt failed or the connection dropped; null once connected.</param>
public sealed record MqttBridgeStatus(MqttConnectionState State, string Broker, string? LastError, DateTimeOffset Since)
{
    public override string ToString() => State switch
    {
        MqttConnectionState.Connected => $"MQTT connected to {Broker}",
        MqttConnectionState.Connecting => $"MQTT connecting to {Broker}" + (LastError is null ? "" : $" (last error: {LastError})"),
        _ => $"MQTT disconnected" + (LastError is null ? "" : $": {LastError}"),
    };
}
