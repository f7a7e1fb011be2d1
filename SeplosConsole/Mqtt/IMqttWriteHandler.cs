namespace SeplosConsole.Mqtt;

/// <summary>What became of a write requested over MQTT; published on the key's result topic.</summary>
public enum MqttWriteOutcome
{
    /// <summary>Written and read back with the requested value.</summary>
    Confirmed,
    /// <summary>Not written: out of range, against a rule, not allowed, not a number.</summary>
    Refused,
    /// <summary>Tried but the pack did not confirm (time-out, exception reply, read-back differs).</summary>
    Failed,
}

/// <param name="Old">The value the pack held before, when the pipeline read it (for a remote dashboard's answer).</param>
/// <param name="New">The value written, when the pipeline got that far.</param>
/// <param name="Reason">Why, without the plan in front (a remote dashboard shows the plan itself); null: <paramref name="Message"/>.</param>
public sealed record MqttWriteResult(MqttWriteOutcome Outcome, string Message, double? Old = null, double? New = null, string? Reason = null)
{
    public static MqttWriteResult Confirmed(string message) => new(MqttWriteOutcome.Confirmed, message);
    public static MqttWriteResult Refused(string message) => new(MqttWriteOutcome.Refused, message);
    public static MqttWriteResult Failed(string message) => new(MqttWriteOutcome.Failed, message);
}

/// <summary>
/// Carries a parameter write from Home Assistant to the write pipeline. The CLI wires it to the
/// same pipeline and bus queue as `seplos edit` (no interactive confirm; the range, 20 % and
/// relation rules still apply) and journals every request and its result.
/// The bridge has checked only that the key is allow-listed and the pack is on the bus;
/// <paramref name="value"/> is the payload as HA sent it, so parsing it and checking the range
/// (and journaling a refusal) is the handler's job. The bridge logs the result; the handler need not.
/// </summary>
public interface IMqttWriteHandler
{
    Task<MqttWriteResult> WriteAsync(byte address, string key, string value, CancellationToken cancellationToken);

    /// <summary>
    /// A command from a remote dashboard whose person confirmed one write (<paramref name="remote"/>:
    /// raw old → raw new): the handler must write only when its own fresh plan is that write. A
    /// handler that cannot check it refuses (the default), so a confirmation is never ignored.
    /// </summary>
    Task<MqttWriteResult> WriteAsync(byte address, string key, string value, RemoteWriteRequest remote, CancellationToken cancellationToken)
        => Task.FromResult(MqttWriteResult.Refused("this front end cannot check a remote dashboard's confirmation; nothing written"));

    /// <summary>
    /// A command the bridge refused before the pipeline saw it (key not allow-listed, pack not on
    /// the bus): a handler with a journal records it, so every attempt is on record (issue 10).
    /// </summary>
    MqttWriteResult Refused(byte address, string key, string value, string reason) => MqttWriteResult.Refused(reason);
}
