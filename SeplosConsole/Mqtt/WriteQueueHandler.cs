using SeplosConsole.Services.Writes;

namespace SeplosConsole.Mqtt;

/// <summary>
/// Home Assistant's parameter writes go through the same pipeline and bus queue as the CLI and the
/// dashboard: no interactive confirmation, but the range, relation and 20 % rules all apply, and
/// every attempt is journaled with source <see cref="Source"/>. A remote dashboard's command is
/// written only when the fresh plan is the write its person confirmed (same raw over same raw).
/// </summary>
public sealed class WriteQueueHandler(ParameterWriteQueue queue) : IMqttWriteHandler
{
    /// <summary>The journal's name for writes from Home Assistant.</summary>
    public const string Source = "mqtt";

    public Task<MqttWriteResult> WriteAsync(byte address, string key, string value, CancellationToken cancellationToken)
        => WriteAsync(address, new ParameterWriteRequest(key, value, Force: false, Source: Source), Confirmations.Automatic, cancellationToken);

    public async Task<MqttWriteResult> WriteAsync(byte address, string key, string value, RemoteWriteRequest remote, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var request = new ParameterWriteRequest(key, value, Force: false, Source: Source, RequestId: remote.RequestId.Length > 0 ? remote.RequestId : null);
        if (!remote.HasConfirmedPlan)
        {
            // An MQTT 5 request without the dashboard's plan (a script asking for an answer): as from HA.
            return await WriteAsync(address, request, Confirmations.Automatic, cancellationToken).ConfigureAwait(false);
        }
        // The bridge's values are the truth: a pack changed since the dashboard's reading (another
        // viewer's write, a change on the pack) is not written over what the person did not see.
        var result = await WriteAsync(address, request, Confirmations.From((plan, _) => Task.FromResult(plan.OldRaw == remote.ExpectedOldRaw && plan.NewRaw == remote.NewRaw)), cancellationToken).ConfigureAwait(false);
        return result.Outcome == MqttWriteOutcome.Refused && result.Old is { } old && result.New is { } written
               && ParameterResolver.Resolve(key).Field is { } field && (field.ToRaw(old) != remote.ExpectedOldRaw || field.ToRaw(written) != remote.NewRaw)
            ? result with { Message = $"pack {address} holds {SpaValues.Describe(field, field.ToRaw(old) ?? 0)} now, not the {SpaValues.Describe(field, remote.ExpectedOldRaw!.Value)} the dashboard showed; nothing written", Reason = null }
            : result;
    }

    private async Task<MqttWriteResult> WriteAsync(byte address, ParameterWriteRequest request, IConfirmation confirmation, CancellationToken cancellationToken)
    {
        var outcome = await queue.EnqueueAsync(address, request, confirmation, cancellationToken).ConfigureAwait(false);
        var message = outcome.Message;
        var result = outcome.Result switch
        {
            WriteResult.Confirmed or WriteResult.NoChange => MqttWriteResult.Confirmed(message),
            WriteResult.Refused or WriteResult.Cancelled => MqttWriteResult.Refused(message),
            _ => MqttWriteResult.Failed(message),
        };
        return result with { Old = outcome.Plan?.OldValue, New = outcome.Plan?.NewValue, Reason = outcome.Result == WriteResult.NoChange ? message : outcome.Reason };
    }

    public MqttWriteResult Refused(byte address, string key, string value, string reason)
    {
        var outcome = queue.Record(address, new ParameterWriteRequest(key, value, Force: false, Source: Source), new WriteOutcome(WriteResult.Refused, reason));
        return MqttWriteResult.Refused(outcome.Reason);
    }
}
