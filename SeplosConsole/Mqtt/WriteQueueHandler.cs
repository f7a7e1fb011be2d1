using SeplosConsole.Services.Writes;

namespace SeplosConsole.Mqtt;

/// <summary>
/// Home Assistant's parameter writes go through the same pipeline and bus queue as the CLI and the
/// dashboard: no interactive confirmation, but the range, relation and 20 % rules all apply, and
/// every attempt is journaled with source <see cref="Source"/>.
/// </summary>
public sealed class WriteQueueHandler(ParameterWriteQueue queue) : IMqttWriteHandler
{
    /// <summary>The journal's name for writes from Home Assistant.</summary>
    public const string Source = "mqtt";

    public async Task<MqttWriteResult> WriteAsync(byte address, string key, string value, CancellationToken cancellationToken)
    {
        var outcome = await queue.EnqueueAsync(address, new ParameterWriteRequest(key, value, Force: false, Source: Source),
            Confirmations.Automatic, cancellationToken).ConfigureAwait(false);
        return outcome.Result switch
        {
            WriteResult.Confirmed or WriteResult.NoChange => MqttWriteResult.Confirmed(outcome.Message),
            WriteResult.Refused or WriteResult.Cancelled => MqttWriteResult.Refused(outcome.Message),
            _ => MqttWriteResult.Failed(outcome.Message),
        };
    }

    public MqttWriteResult Refused(byte address, string key, string value, string reason)
    {
        var outcome = queue.Record(address, new ParameterWriteRequest(key, value, Force: false, Source: Source), new WriteOutcome(WriteResult.Refused, reason));
        return MqttWriteResult.Refused(outcome.Reason);
    }
}
