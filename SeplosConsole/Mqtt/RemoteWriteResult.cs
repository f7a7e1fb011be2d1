using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Packets;

namespace SeplosConsole.Mqtt;

/// <summary>
/// What a remote dashboard adds to a <c>…/&lt;key&gt;/set</c> command (MQTT 5 properties), as the
/// bridge reads it: where to answer, the id to answer with, and the write the person confirmed
/// (raw old → raw new). A plain <c>/set</c> (Home Assistant) has none of it and is answered only on
/// the key's <c>/result</c> topic, as before. Immutable.
/// </summary>
/// <param name="RequestId">The correlation data as text (the dashboard sends a GUID).</param>
/// <param name="ResponseTopic">Where the bridge publishes the <see cref="RemoteWriteResult"/>.</param>
/// <param name="ExpectedOldRaw">The raw register the dashboard showed as "old"; the bridge writes only when the pack still holds it.</param>
/// <param name="NewRaw">The raw value the dashboard showed as "new"; the bridge writes only that.</param>
public sealed record RemoteWriteRequest(string RequestId, string ResponseTopic, long? ExpectedOldRaw, long? NewRaw)
{
    /// <summary>User property: when the command was sent (ISO 8601); older than the bridge's limit is refused.</summary>
    public const string SentAtProperty = "sent_at";
    public const string ExpectedOldRawProperty = "expected_old_raw";
    public const string NewRawProperty = "new_raw";

    /// <summary>The bridge's reading of a received command; null when it asks for no answer (no response topic).</summary>
    public static RemoteWriteRequest? From(MqttApplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrEmpty(message.ResponseTopic))
        {
            return null;
        }
        var id = message.CorrelationData is { Length: > 0 } correlation ? Encoding.UTF8.GetString(correlation) : "";
        return new(id, message.ResponseTopic, RawProperty(message, ExpectedOldRawProperty), RawProperty(message, NewRawProperty));
    }

    /// <summary>Whether the dashboard said which write its person confirmed (then only that write may happen).</summary>
    public bool HasConfirmedPlan => ExpectedOldRaw is not null && NewRaw is not null;

    private static long? RawProperty(MqttApplicationMessage message, string name)
        => message.UserProperties?.FirstOrDefault(p => p.Name == name)?.ReadValueAsString() is { } text
           && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var raw) ? raw : null;
}

/// <summary>
/// The bridge's answer to a remote dashboard's command, on the command's response topic with its
/// correlation data (docs/mqtt.md, "Remote edits"). snake_case JSON:
/// <c>{"request_id":"…","bridge":"garage","address":0,"key":"soc_low_alarm","old":5.0,"new":6.0,"unit":"%","outcome":"confirmed","reason":"read back equal","time":"…"}</c>.
/// <paramref name="Old"/> and <paramref name="New"/> are what the bridge found and wrote (null when it
/// refused before reading the pack). Immutable.
/// </summary>
public sealed record RemoteWriteResult(
    string RequestId,
    string Bridge,
    byte Address,
    string Key,
    double? Old,
    double? New,
    string Unit,
    MqttWriteOutcome Outcome,
    string Reason,
    DateTimeOffset Time)
{
    public string Serialise() => new JsonObject
    {
        ["request_id"] = RequestId,
        ["bridge"] = Bridge,
        ["address"] = Address,
        ["key"] = Key,
        ["old"] = Old,
        ["new"] = New,
        ["unit"] = Unit,
        ["outcome"] = OutcomeName(Outcome),
        ["reason"] = Reason,
        ["time"] = Time.ToString("O", CultureInfo.InvariantCulture),
    }.ToJsonString(HomeAssistantDiscovery.JsonOptions);

    /// <summary>confirmed, refused or failed.</summary>
    public static string OutcomeName(MqttWriteOutcome outcome) => outcome.ToString().ToLowerInvariant();

    /// <summary>Reads an answer; a malformed one is a reason, never an exception.</summary>
    public static (RemoteWriteResult? Result, string? Error) Parse(string payload)
    {
        try
        {
            if (JsonNode.Parse(payload) is not JsonObject json)
            {
                return (null, "not a JSON object");
            }
            var outcomeText = (string?)json["outcome"];
            if (!Enum.TryParse<MqttWriteOutcome>(outcomeText, ignoreCase: true, out var outcome) || !Enum.IsDefined(outcome) || outcomeText is null || char.IsDigit(outcomeText[0]))
            {
                return (null, $"unknown outcome '{outcomeText}'");
            }
            return (new RemoteWriteResult(
                (string?)json["request_id"] ?? "",
                (string?)json["bridge"] ?? "",
                (byte?)json["address"] ?? 0,
                (string?)json["key"] ?? "",
                (double?)json["old"],
                (double?)json["new"],
                (string?)json["unit"] ?? "",
                outcome,
                (string?)json["reason"] ?? "",
                DateTimeOffset.TryParse((string?)json["time"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : DateTimeOffset.MinValue), null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or OverflowException)
        {
            return (null, ex.Message);
        }
    }
}
