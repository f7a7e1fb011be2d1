using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Services.Writes;
using SeplosConsole.Tui;

namespace SeplosConsole.Mqtt;

/// <summary>
/// The editor of a dashboard fed from the broker: a parameter edit becomes an MQTT command to the
/// bridge that owns the pack's bus (docs/mqtt.md, "Remote edits"). Before anything is sent it checks
/// what the viewer can know (the bridge accepts writes and this key, the pack is live) and runs the
/// pipeline's own validation (<see cref="ParameterWriter.Validate"/>) against the bridge's last
/// reading; the person confirms old → new in the dashboard; the command carries that raw old → new,
/// a response topic, a correlation id and a message expiry, is never retained, and the bridge checks
/// everything again against its own fresh read before it writes. Every attempt is journaled here
/// (requested, then the answer), as the bridge journals its side. An answer that does not come within
/// <see cref="AnswerTimeout"/> is reported as "no answer — check the register", never as success.
/// Thread-safe: the dashboard calls it from the UI thread, answers arrive on MQTTnet's receive task.
/// </summary>
public sealed class RemoteWriteClient : IParameterEditor, IDisposable
{
    /// <summary>The journal's source for the dashboard's writes, remote or not.</summary>
    public const string Source = QueueParameterEditor.Source;

    private readonly BrokerFeed _feed;
    private readonly WriteJournal _journal;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RemoteWriteResult>> _waiting = new(StringComparer.Ordinal);

    public RemoteWriteClient(BrokerFeed feed, WriteJournal journal, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(feed);
        _feed = feed;
        _journal = journal;
        _time = time ?? TimeProvider.System;
        _feed.ResponseReceived += OnResponse;
    }

    /// <summary>
    /// How long to wait for the bridge's answer. The bridge queues a write between two block reads
    /// of its poll, so a busy bus of 16 packs may take a few seconds; 15 s covers that with room.
    /// The command expires at the broker after the same time, so it cannot be delivered later.
    /// </summary>
    public TimeSpan AnswerTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The journal's source of this viewer's writes: the dashboard's, or <c>cli</c> for <c>seplos --mqtt edit</c>.</summary>
    public string RequestSource { get; init; } = Source;

    /// <summary>Who asks, as the messages name it ("the dashboard", "seplos edit").</summary>
    public string ViewerName { get; init; } = "the dashboard";

    /// <summary>
    /// Why <paramref name="key"/> of pack <paramref name="address"/> (the number shown here) cannot be
    /// written from this dashboard, or null when a command may be sent (the bridge may still refuse
    /// the value). Reasons: no such pack, not connected, the pack stale or its bridge offline, the
    /// bridge refuses writes, the key not in its allow-list, or not a parameter of the map.
    /// </summary>
    public string? WhyNotWritable(byte address, string key)
    {
        if (_feed.Remote(address) is not { } remote)
        {
            return $"no pack {address} on the broker";
        }
        var (field, unresolved) = ParameterResolver.Resolve(key);
        if (field is null)
        {
            return unresolved;
        }
        if (_feed.IsLinkDown)
        {
            return $"not connected to the broker {_feed.LinkName}";
        }
        var status = _feed.AllStatus.FirstOrDefault(s => s.Address == address);
        if (status is null || status.State != PackLinkState.Online)
        {
            var why = status?.LastError is { Length: > 0 } error ? $": {error}" : "";
            return $"pack {address} is {(status?.State ?? PackLinkState.Offline).ToString().ToLowerInvariant()}{why}; a remote edit needs a live reading from its bridge";
        }
        if (remote.WriteKeys.Count == 0)
        {
            return $"bridge {remote.Bridge} does not accept writes (allow_writes is off there)";
        }
        if (!remote.WriteKeys.Contains(field.Key, StringComparer.Ordinal))
        {
            return $"{field.Key} is not in the write_allow_list of bridge {remote.Bridge} (it accepts: {string.Join(", ", remote.WriteKeys)})";
        }
        // The validation works on the bridge's SPA reading (every writable parameter is an SPA register).
        return !status.Snapshot.Has(BlockId.Spa)
            ? $"bridge {remote.Bridge} has not published the parameters (SPA) of pack {address} yet"
            : null;
    }

    public Task<EditPreparation> PrepareAsync(byte address, string key, string value, CancellationToken cancellationToken)
        // Off the UI thread: a refusal is journaled, and the journal flushes to disk.
        => Task.Run(() => Prepare(address, key, value), cancellationToken);

    private EditPreparation Prepare(byte address, string key, string value)
    {
        var remote = _feed.Remote(address);
        var target = remote is { } r ? new Target(r.Bridge, r.Address, address) : new Target(null, address, address);
        var request = new ParameterWriteRequest(key, value, Force: false, Source: RequestSource);
        if (WhyNotWritable(address, key) is { } why)
        {
            return Refuse(target, request, ParameterResolver.Resolve(key).Field, null, why);
        }
        if (_journal.CheckWritable() is { } unwritable)
        {
            return EditPreparation.Refused(address, key, $"the journal cannot be written ({unwritable}); nothing sent");
        }
        var status = _feed.AllStatus.First(s => s.Address == address);
        var validation = ParameterWriter.Validate(request, SpaValues.From(status.Snapshot.Blocks[BlockId.Spa]));
        if (validation.Plan is not { } plan)
        {
            var stop = validation.Stop!;
            return Refuse(target, request, validation.Field, stop.Plan, $"{(stop.Result == WriteResult.NoChange ? "no change: " : "")}{stop.Reason} (checked against the reading of bridge {target.Bridge})");
        }
        string[] notes = [.. plan.Warnings, $"bridge {target.Bridge} checks again against its own fresh reading and writes only while pack {target.BridgeAddress} there still holds {SpaValues.Describe(plan.Field, plan.OldRaw)}"];
        return EditPreparation.Planned(address, plan.Field.Key, $"{plan.Summary} via bridge {target.Bridge}", notes, new PreparedWrite(target, request, plan));
    }

    public async Task<EditResult> ApplyAsync(EditPreparation preparation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(preparation);
        if (preparation.Plan is not PreparedWrite prepared)
        {
            return new EditResult(EditOutcome.Refused, "nothing to write");
        }
        var (target, plan) = (prepared.Target, prepared.Plan);
        var id = Guid.NewGuid().ToString("N");
        var request = prepared.Request with { RequestId = id };
        if (_feed.Client is not { } client)
        {
            return Finish(prepared, request, WriteResult.Refused, EditOutcome.Failed, $"not connected to the broker {_feed.LinkName}; nothing sent");
        }
        // Journaled before it is sent (the pipeline's rule): a crash after this line leaves a record.
        if (TryJournal(Entry(target, request, plan.Field, plan, WriteJournal.SendingResult, $"sending to bridge {target.Bridge} as request {id}; its answer follows in the next line")) is { } problem)
        {
            return new EditResult(EditOutcome.Refused, $"the journal cannot be written ({problem}); nothing sent");
        }
        var answer = new TaskCompletionSource<RemoteWriteResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = answer;
        var checkHint = $"check the register: `seplos show {plan.Field.Key}` on the machine of bridge {target.Bridge} (pack {target.BridgeAddress})";
        try
        {
            var published = await client.PublishAsync(Command(target, plan, request), cancellationToken).ConfigureAwait(false);
            if (!published.IsSuccess)
            {
                return Finish(prepared, request, WriteResult.Refused, EditOutcome.Refused, $"the broker refused the command ({published.ReasonCode}); nothing written");
            }
            var result = await answer.Task.WaitAsync(AnswerTimeout, _time, cancellationToken).ConfigureAwait(false);
            var (journaled, shown) = result.Outcome switch
            {
                MqttWriteOutcome.Confirmed => (WriteResult.Confirmed, EditOutcome.Confirmed),
                MqttWriteOutcome.Refused => (WriteResult.Refused, EditOutcome.Refused),
                _ => (WriteResult.Failed, EditOutcome.Failed),
            };
            return Finish(prepared, request, journaled, shown, $"bridge {target.Bridge}: {result.Reason}");
        }
        catch (TimeoutException)
        {
            return Finish(prepared, request, WriteResult.NotConfirmed, EditOutcome.NotConfirmed,
                $"no answer — check the register: bridge {target.Bridge} did not answer within {AnswerTimeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s (offline, or still queueing it); {checkHint}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Finish(prepared, request, WriteResult.NotConfirmed, EditOutcome.NotConfirmed, $"{ViewerName} stopped before bridge {target.Bridge} answered; {checkHint}");
            throw;
        }
        catch (UnreadableAnswerException ex)
        {
            // It answered, so it got the command: what it did is unknown, not undelivered.
            return Finish(prepared, request, WriteResult.NotConfirmed, EditOutcome.NotConfirmed, $"bridge {target.Bridge} answered, but {ex.Message}; {checkHint}");
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            return Finish(prepared, request, WriteResult.NotConfirmed, EditOutcome.NotConfirmed, $"the command may not have reached bridge {target.Bridge} ({ex.Message}); {checkHint}");
        }
        finally
        {
            _waiting.TryRemove(id, out _);
        }
    }

    public Task CancelledAsync(EditPreparation preparation, CancellationToken cancellationToken)
        => CancelledAsync(preparation, $"was not confirmed in {ViewerName}", cancellationToken);

    /// <summary>
    /// Journals <paramref name="preparation"/> as cancelled, nothing sent, and returns the reason
    /// journaled: "soc_low_alarm: 5.0 % → 6.0 % (…) <paramref name="how"/>; nothing sent".
    /// </summary>
    public Task<string> CancelledAsync(EditPreparation preparation, string how, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(preparation);
        if (preparation.Plan is not PreparedWrite prepared)
        {
            return Task.FromResult("nothing was prepared; nothing sent");
        }
        return Task.Run(() =>
        {
            var reason = $"{prepared.Plan.Summary} {how}; nothing sent";
            return WithJournalProblem(reason, TryJournal(Entry(prepared.Target, prepared.Request, prepared.Plan.Field, prepared.Plan, WriteJournal.ResultName(WriteResult.Cancelled), reason)));
        }, cancellationToken);
    }

    public void Dispose() => _feed.ResponseReceived -= OnResponse;

    /// <summary>
    /// The command: not retained (a retained command would wait on the broker as an armed write),
    /// QoS 1, expiring when this dashboard stops waiting, with the raw old → new the person confirmed.
    /// </summary>
    private MqttApplicationMessage Command(Target target, WritePlan plan, ParameterWriteRequest request) => new MqttApplicationMessageBuilder()
        .WithTopic(new MqttTopics(target.Bridge!, "").Command(target.BridgeAddress, plan.Field.Key))
        // The value as the register will hold it, so the bridge parses exactly what was confirmed.
        .WithPayload(plan.Field.Format(plan.NewValue))
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .WithRetainFlag(false)
        .WithMessageExpiryInterval((uint)Math.Ceiling(AnswerTimeout.TotalSeconds))
        .WithResponseTopic(_feed.ResponseTopic(target.Bridge!))
        .WithCorrelationData(Encoding.UTF8.GetBytes(request.RequestId!))
        .WithUserProperty(RemoteWriteRequest.SentAtProperty, Utf8(_time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)))
        .WithUserProperty(RemoteWriteRequest.ExpectedOldRawProperty, Utf8(plan.OldRaw.ToString(CultureInfo.InvariantCulture)))
        .WithUserProperty(RemoteWriteRequest.NewRawProperty, Utf8(plan.NewRaw.ToString(CultureInfo.InvariantCulture)))
        .Build();

    private static ReadOnlyMemory<byte> Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private void OnResponse(MqttApplicationMessage message)
    {
        var payload = message.ConvertPayloadToString() ?? "";
        var (result, error) = RemoteWriteResult.Parse(payload);
        var id = message.CorrelationData is { Length: > 0 } correlation ? Encoding.UTF8.GetString(correlation) : result?.RequestId;
        if (id is null || !_waiting.TryGetValue(id, out var waiting))
        {
            // An answer to nobody: a request already given up on, or another viewer's id.
            return;
        }
        if (result is null)
        {
            waiting.TrySetException(new UnreadableAnswerException($"its answer could not be read ({error})"));
            return;
        }
        waiting.TrySetResult(result);
    }

    /// <summary>Journals the end of an attempt and builds what the dashboard shows.</summary>
    private EditResult Finish(PreparedWrite prepared, ParameterWriteRequest request, WriteResult journaled, EditOutcome shown, string reason)
    {
        var problem = TryJournal(Entry(prepared.Target, request, prepared.Plan.Field, prepared.Plan, WriteJournal.ResultName(journaled), reason));
        return new EditResult(shown, WithJournalProblem($"{prepared.Plan.Change}: {reason}", problem));
    }

    private string WithJournalProblem(string message, string? problem)
        => problem is null ? message : $"{message} (the journal {_journal.Path} could not be written: {problem})";

    private EditPreparation Refuse(Target target, ParameterWriteRequest request, FieldDefinition? field, WritePlan? plan, string reason)
    {
        var problem = TryJournal(Entry(target, request, field, plan, WriteJournal.ResultName(WriteResult.Refused), reason));
        return EditPreparation.Refused(target.Shown, field?.Key ?? request.Key, problem is null ? reason : $"{reason} (not journaled: {problem})");
    }

    private WriteJournalEntry Entry(Target target, ParameterWriteRequest request, FieldDefinition? field, WritePlan? plan, string result, string reason)
        => WriteJournalEntry.For(_time.GetUtcNow(), target.Bridge is { } bridge ? _feed.BridgeLink(bridge) : _feed.LinkName,
            // The pack's address on its own bus: that is where the register is.
            target.BridgeAddress, _feed.AllStatus.FirstOrDefault(s => s.Address == target.Shown)?.Serial, request, field, plan, result, reason);

    private string? TryJournal(WriteJournalEntry entry) => _journal.TryAppend(entry);

    /// <param name="Bridge">The bridge's prefix; null when the pack is unknown.</param>
    /// <param name="BridgeAddress">The pack's address on the bridge's bus.</param>
    /// <param name="Shown">The pack's number in this dashboard.</param>
    private sealed record Target(string? Bridge, byte BridgeAddress, byte Shown);

    private sealed class UnreadableAnswerException(string message) : Exception(message);

    private sealed record PreparedWrite(Target Target, ParameterWriteRequest Request, WritePlan Plan);
}
