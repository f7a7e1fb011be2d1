using MQTTnet;
using MQTTnet.Protocol;
using SeplosConsole.Services;

namespace SeplosConsole.Mqtt;

/// <summary>Publishing one message, the way every part of the bridge does it.</summary>
internal static class MqttMessages
{
    /// <summary>Publishes; a refusal by the broker (an ACL) is a log line, a lost connection throws.</summary>
    public static async Task PublishAsync(IMqttClient client, string topic, string payload, MqttQualityOfServiceLevel qos, Action<BusEventLevel, string> log, CancellationToken cancellationToken, bool retain = true)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(qos)
            .WithRetainFlag(retain)
            .Build();
        var result = await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            log(BusEventLevel.Warning, $"MQTT: broker refused the publish to {topic} ({result.ReasonCode})");
        }
    }
}
