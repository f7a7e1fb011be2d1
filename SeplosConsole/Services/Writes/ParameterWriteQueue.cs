using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Writes;

/// <summary>Where a queued write is: queued → sent → one of the outcomes.</summary>
public enum QueuedWriteState { Queued, Sent, Confirmed, NotConfirmed, Refused, Failed, NoChange, Cancelled }

/// <summary>One step of one queued write, for a dashboard's table or an MQTT result topic.</summary>
public sealed record QueuedWriteUpdate(long Id, byte Address, ParameterWriteRequest Request, QueuedWriteState State, string Message, WriteOutcome? Outcome = null)
{
    public bool IsFinal => State is not (QueuedWriteState.Queued or QueuedWriteState.Sent);
}

/// <summary>
/// Parameter writes for front ends that run beside the poller (dashboard, MQTT): each write goes
/// through the same <see cref="ParameterWriter"/> pipeline, on the bus between two block reads
/// (<see cref="BusPoller.RunOnBusAsync{T}"/>), and reports its state as events. A pack that stops
/// answering ends the write as failed or not confirmed within the RTU time-outs; nothing waits forever.
/// </summary>
public sealed class ParameterWriteQueue
{
    private readonly BusPoller _poller;
    private readonly WriteJournal _journal;
    private long _nextId;

    public ParameterWriteQueue(BusPoller poller, WriteJournal journal)
    {
        _poller = poller;
        _journal = journal;
    }

    /// <summary>Raised on the bus task (or the caller's, for "queued"); front ends marshal it.</summary>
    public event EventHandler<QueuedWriteUpdate>? Changed;

    /// <summary>
    /// Resolves, reads the pack and validates, on the bus, without writing. A plan ready for
    /// confirmation is not journaled yet (its outcome is); an attempt that ends here (refused,
    /// no change, pack unreadable) is, since nothing else will record it.
    /// </summary>
    public Task<WriteValidation> PrepareAsync(byte address, ParameterWriteRequest request, CancellationToken cancellationToken)
        => _poller.RunOnBusAsync(async (client, token) =>
        {
            var writer = WriterFor(client, address);
            var validation = await writer.PrepareAsync(request, token).ConfigureAwait(false);
            return validation.Stop is { } stop ? WriteValidation.Ended(writer.Record(request, stop), validation.Field) : validation;
        }, cancellationToken);

    /// <summary>
    /// Journals an attempt the front end ended itself, without the bus: the dashboard's confirm
    /// dialog declined or closed. Returns the outcome as recorded (with a note if the journal failed).
    /// </summary>
    public WriteOutcome Record(byte address, ParameterWriteRequest request, WriteOutcome outcome)
        => WriterFor(_poller.Client, address).Record(request, outcome);

    /// <summary>Queues a write; completes with its outcome (also raised as the final <see cref="Changed"/> event).</summary>
    public async Task<WriteOutcome> EnqueueAsync(byte address, ParameterWriteRequest request, IConfirmation confirmation, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        Raise(new(id, address, request, QueuedWriteState.Queued, $"{request.Key} = {request.Value}: queued for pack {address}"));
        WriteOutcome outcome;
        try
        {
            outcome = await _poller.RunOnBusAsync(async (client, token) =>
            {
                Raise(new(id, address, request, QueuedWriteState.Sent, $"{request.Key} = {request.Value}: on the bus"));
                return await WriterFor(client, address).ExecuteAsync(request, confirmation, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            outcome = new(WriteResult.Cancelled, "stopped before the write reached the bus; nothing written");
        }
        catch (InvalidOperationException ex)
        {
            outcome = new(WriteResult.Failed, ex.Message);
        }
        if (outcome.Result is WriteResult.Confirmed or WriteResult.NotConfirmed)
        {
            // Show what the pack holds now, without waiting for the next slow refresh.
            _poller.RefreshParameters(address);
        }
        Raise(new(id, address, request, StateOf(outcome.Result), outcome.Message, outcome));
        return outcome;
    }

    // An address the poller does not poll has no serial (an MQTT command for a pack not on the bus).
    private ParameterWriter WriterFor(SeplosClient client, byte address)
        => new(client, address, _journal, _poller.Addresses.Contains(address) ? _poller.Status(address).Serial : null);

    private static QueuedWriteState StateOf(WriteResult result) => result switch
    {
        WriteResult.Confirmed => QueuedWriteState.Confirmed,
        WriteResult.NotConfirmed => QueuedWriteState.NotConfirmed,
        WriteResult.Refused => QueuedWriteState.Refused,
        WriteResult.NoChange => QueuedWriteState.NoChange,
        WriteResult.Cancelled => QueuedWriteState.Cancelled,
        _ => QueuedWriteState.Failed,
    };

    private void Raise(QueuedWriteUpdate update) => Changed?.Invoke(this, update);
}
