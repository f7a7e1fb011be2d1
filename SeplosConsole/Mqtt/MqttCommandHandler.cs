using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Mqtt;

/// <summary>
/// Parameter commands from MQTT (<c>&lt;prefix&gt;/battery_&lt;addr&gt;/&lt;key&gt;/set</c>): which
/// topics to subscribe, which messages to refuse at once (retained, too old, too many), and one
/// worker that hands the rest to the write pipeline one at a time and publishes each result.
/// <see cref="TryAccept"/> runs on MQTTnet's receive task, <see cref="RunAsync"/> on its own.
/// </summary>
internal sealed class MqttCommandHandler
{
    private readonly MqttOptions _options;
    private readonly MqttTopics _topics;
    private readonly Action<BusEventLevel, string> _log;
    private readonly IMqttWriteHandler? _writeHandler;
    private readonly Func<byte, bool> _isOnBus;
    private readonly Func<IMqttClient?> _connectedClient;
    private readonly IReadOnlyDictionary<string, FieldDefinition> _writable;

    private readonly Channel<WriteCommand> _commands = Channel.CreateBounded<WriteCommand>(
        new BoundedChannelOptions(32) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <param name="isOnBus">Whether a pack address is one this bridge polls.</param>
    /// <param name="connectedClient">The live client for results, or null while disconnected.</param>
    public MqttCommandHandler(MqttOptions options, MqttTopics topics, Action<BusEventLevel, string> log, IMqttWriteHandler? writeHandler, Func<byte, bool> isOnBus, Func<IMqttClient?> connectedClient)
    {
        _options = options;
        _topics = topics;
        _log = log;
        _writeHandler = writeHandler;
        _isOnBus = isOnBus;
        _connectedClient = connectedClient;
        _writable = options.WritableFields().ToDictionary(f => f.Key, StringComparer.Ordinal);
    }

    /// <summary>Whether any command is accepted at all; without, no command topic is subscribed.</summary>
    public bool Enabled => _writable.Count > 0;

    /// <summary>Adds one command filter per allow-listed key.</summary>
    public MqttClientSubscribeOptionsBuilder Subscribe(MqttClientSubscribeOptionsBuilder subscription)
    {
        // Retain as published: a command someone published retained keeps its flag, so it is refused
        // even when it arrives live (it would otherwise sit on the broker as an armed write for the
        // next subscriber). Nothing retained is sent at subscribe either.
        foreach (var key in _writable.Keys.Order(StringComparer.Ordinal))
        {
            subscription = subscription.WithTopicFilter(_topics.CommandFilter(key), MqttQualityOfServiceLevel.AtLeastOnce, noLocal: false, retainAsPublished: true, MqttRetainHandling.DoNotSendOnSubscribe);
        }
        return subscription;
    }

    /// <summary>Takes a message when it is a command of ours (queued, or refused with a log line); false otherwise.</summary>
    public bool TryAccept(MqttApplicationMessage message, string payload)
    {
        if (!Enabled || _topics.ParseCommand(message.Topic) is not { } command)
        {
            return false;
        }
        var received = new WriteCommand(command.Address, command.Key, payload.Trim(), RemoteWriteRequest.From(message), ExpiresAt(message));
        if (message.Retain)
        {
            // A retained command would be written again at every reconnect. An empty one is the
            // removal of a retained command (ours below, or someone's): nothing to say.
            if (payload.Length > 0)
            {
                _log(BusEventLevel.Warning, $"MQTT: ignored a retained command on {message.Topic} = {InputEcho.Shorten(payload)}; publish commands without retain");
                ClearRetainedCommand(message.Topic);
            }
        }
        else if (CommandAge(message) is { } age && age > _options.MaxCommandAge)
        {
            var reason = $"sent {age.TotalSeconds:0} s ago (more than {_options.MaxCommandAge.TotalSeconds:0} s)";
            _log(BusEventLevel.Warning, $"MQTT: ignored a command on {message.Topic} {reason}");
            AnswerAtOnce(received, MqttWriteResult.Refused($"the command was {reason}; nothing written"));
        }
        else if (!_commands.Writer.TryWrite(received))
        {
            _log(BusEventLevel.Warning, $"MQTT: too many commands waiting; ignored {message.Topic} = {InputEcho.Shorten(payload)}");
            AnswerAtOnce(received, MqttWriteResult.Refused("too many commands waiting at the bridge; nothing written"));
        }
        return true;
    }

    /// <summary>
    /// When a command with an MQTT 5 message expiry (a remote dashboard's: it stops waiting then)
    /// must no longer be written, counted from its arrival; null without one.
    /// </summary>
    private static DateTimeOffset? ExpiresAt(MqttApplicationMessage message)
        => message.MessageExpiryInterval > 0 ? DateTimeOffset.UtcNow.AddSeconds(message.MessageExpiryInterval) : null;

    /// <summary>How old a command is, when it says when it was sent (user property <c>sent_at</c>, ISO 8601).</summary>
    internal static TimeSpan? CommandAge(MqttApplicationMessage message)
    {
        var sentAt = message.UserProperties?.FirstOrDefault(p => p.Name == RemoteWriteRequest.SentAtProperty)?.ReadValueAsString();
        return DateTimeOffset.TryParse(sentAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? DateTimeOffset.UtcNow - time
            : null;
    }

    /// <summary>Executes queued commands one at a time until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }
        try
        {
            await foreach (var command in _commands.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var result = await ExecuteAsync(command, cancellationToken).ConfigureAwait(false);
                // The one log line per command: it also covers the ones refused here, which never
                // reach the write queue (the front ends do not log the queue's MQTT writes again).
                _log(result.Outcome == MqttWriteOutcome.Confirmed ? BusEventLevel.Info : BusEventLevel.Warning,
                    $"MQTT write pack {command.Address} {command.Key} = {InputEcho.Shorten(command.Value)}: {result.Outcome.ToString().ToLowerInvariant()}{(result.Message.Length > 0 ? " (" + result.Message + ")" : "")}");
                await PublishResultAsync(command, result, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Asked to stop: the loop ends here.
        }
    }

    /// <summary>Empties a retained command on the broker so it does not wait there for the next subscriber.</summary>
    private void ClearRetainedCommand(string topic)
    {
        if (_connectedClient() is { } client)
        {
            // Not awaited inside the receive handler (MQTTnet would wait on its own dispatch); a
            // failure only means the retained command stays, and is refused again.
            _ = client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload([]).WithRetainFlag(true).Build(), CancellationToken.None)
                .ContinueWith(t => _log(BusEventLevel.Warning, $"MQTT: could not clear the retained command on {topic}: {t.Exception?.GetBaseException().Message}"), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// A remote dashboard's command refused before it was queued (too old, queue full): it waits for an
    /// answer, so it gets one. Not awaited inside the receive handler (see <see cref="ClearRetainedCommand"/>).
    /// </summary>
    private void AnswerAtOnce(WriteCommand command, MqttWriteResult result)
    {
        if (command.Remote is not null && _connectedClient() is not null)
        {
            _ = PublishResultAsync(command, result, CancellationToken.None);
        }
    }

    private const string ExpiredInQueue = "the command expired while waiting at the bridge; nothing written";

    private async Task<MqttWriteResult> ExecuteAsync(WriteCommand command, CancellationToken cancellationToken)
    {
        if (!_writable.TryGetValue(command.Key, out var field))
        {
            return _writeHandler?.Refused(command.Address, command.Key, command.Value, $"{command.Key} is not in write_allow_list") ?? MqttWriteResult.Refused($"{command.Key} is not in write_allow_list");
        }
        if (command.ExpiresAt < DateTimeOffset.UtcNow)
        {
            // It waited in this queue past its expiry: whoever sent it has stopped waiting for the answer.
            return _writeHandler?.Refused(command.Address, field.Key, command.Value, ExpiredInQueue) ?? MqttWriteResult.Refused(ExpiredInQueue);
        }
        if (!_isOnBus(command.Address))
        {
            return _writeHandler?.Refused(command.Address, field.Key, command.Value, $"no pack {command.Address} on this bus") ?? MqttWriteResult.Refused($"no pack {command.Address} on this bus");
        }
        // The number, its unit and the range are the pipeline's to check: it parses the way
        // `seplos edit` does and journals the refusal, which a check here would keep off the record.
        if (_writeHandler is null)
        {
            return MqttWriteResult.Refused("writes are not available in this front end");
        }
        // The expiry also bounds the wait inside the pipeline (the bus queue behind a poll, the fresh
        // read): a command still waiting there when it expires is dropped before the write, never
        // written after its sender gave up. Once confirmed, the pipeline finishes the write anyway.
        using var expiry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (command.ExpiresAt is { } expiresAt)
        {
            expiry.CancelAfter(TimeSpan.FromTicks(Math.Max(0, (expiresAt - DateTimeOffset.UtcNow).Ticks)));
        }
        try
        {
            return command.Remote is { } remote
                ? await _writeHandler.WriteAsync(command.Address, field.Key, command.Value, remote, expiry.Token).ConfigureAwait(false)
                : await _writeHandler.WriteAsync(command.Address, field.Key, command.Value, expiry.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested)
        {
            return _writeHandler.Refused(command.Address, field.Key, command.Value, ExpiredInQueue);
        }
        catch (Exception ex)
        {
            return MqttWriteResult.Failed(ex.Message);
        }
    }

    private async Task PublishResultAsync(WriteCommand command, MqttWriteResult result, CancellationToken cancellationToken)
    {
        if (_connectedClient() is not { } client)
        {
            _log(BusEventLevel.Warning, $"MQTT: not connected; the result of {command.Key} for pack {command.Address} was not published");
            return;
        }
        var payload = new JsonObject
        {
            ["result"] = result.Outcome.ToString().ToLowerInvariant(),
            ["message"] = result.Message,
            ["value"] = InputEcho.Shorten(command.Value),
            ["time"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        }.ToJsonString(HomeAssistantDiscovery.JsonOptions);
        try
        {
            // Not retained: an old result shown as new after a restart would mislead.
            await MqttMessages.PublishAsync(client, _topics.CommandResult(command.Address, command.Key), payload, MqttQualityOfServiceLevel.AtLeastOnce, _log, cancellationToken, retain: false).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log(BusEventLevel.Warning, $"MQTT: could not publish the result of {command.Key} for pack {command.Address}: {ex.Message}");
        }
        if (command.Remote is { } remote)
        {
            await AnswerAsync(client, command, remote, result, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The answer to a remote dashboard: on its response topic, with its correlation data.</summary>
    private async Task AnswerAsync(IMqttClient client, WriteCommand command, RemoteWriteRequest remote, MqttWriteResult result, CancellationToken cancellationToken)
    {
        var answer = new RemoteWriteResult(remote.RequestId, _topics.Prefix, command.Address, command.Key, result.Old, result.New,
            _writable.TryGetValue(command.Key, out var field) ? field.Unit : "", result.Outcome, result.Reason ?? result.Message, DateTimeOffset.UtcNow);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(remote.ResponseTopic)
            .WithPayload(answer.Serialise())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            // Never retained: an answer is for the request waiting now, not for a later subscriber.
            .WithRetainFlag(false)
            .WithCorrelationData(Encoding.UTF8.GetBytes(remote.RequestId))
            .WithMessageExpiryInterval(AnswerExpirySeconds)
            .Build();
        try
        {
            var published = await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            if (!published.IsSuccess)
            {
                _log(BusEventLevel.Warning, $"MQTT: broker refused the answer to {remote.ResponseTopic} ({published.ReasonCode})");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log(BusEventLevel.Warning, $"MQTT: could not answer the dashboard's {command.Key} command for pack {command.Address}: {ex.Message}");
        }
    }

    /// <summary>A dashboard waits 15 s for its answer (RemoteWriteClient); an answer held longer by the broker would reach nobody.</summary>
    private const uint AnswerExpirySeconds = 60;

    /// <param name="Remote">A remote dashboard's request (response topic, confirmed plan); null for a plain <c>/set</c>.</param>
    /// <param name="ExpiresAt">From the command's message expiry: not written after this.</param>
    private sealed record WriteCommand(byte Address, string Key, string Value, RemoteWriteRequest? Remote = null, DateTimeOffset? ExpiresAt = null);
}
