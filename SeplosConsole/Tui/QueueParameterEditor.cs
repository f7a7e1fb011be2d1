using SeplosConsole.Services.Writes;

namespace SeplosConsole.Tui;

/// <summary>
/// The dashboard's edits through the write pipeline and the bus queue: prepare (resolve, read,
/// validate) on the bus, show the plan, and on "Yes" queue the write with a confirmation that
/// holds only if the fresh plan still writes the same raw value over the same raw value.
/// </summary>
public sealed class QueueParameterEditor(ParameterWriteQueue queue) : IParameterEditor
{
    /// <summary>The source of the dashboard's writes in the journal and the queue's updates.</summary>
    public const string Source = "tui";

    public async Task<EditPreparation> PrepareAsync(byte address, string key, string value, CancellationToken cancellationToken)
    {
        var request = new ParameterWriteRequest(key, value, Force: false, Source: Source);
        WriteValidation validation;
        try
        {
            validation = await queue.PrepareAsync(address, request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Transport.BusException or Seplos.PackRefusedException or InvalidOperationException)
        {
            return EditPreparation.Refused(address, key, $"cannot read pack {address}: {ex.Message}");
        }
        return validation.Plan is { } plan
            ? EditPreparation.Planned(address, plan.Field.Key, plan.Summary, plan.Warnings, new PreparedWrite(request, plan))
            : EditPreparation.Refused(address, validation.Field?.Key ?? key, validation.Stop!.Message);
    }

    public async Task<EditResult> ApplyAsync(EditPreparation preparation, CancellationToken cancellationToken)
    {
        if (preparation.Plan is not PreparedWrite prepared)
        {
            return new EditResult(EditOutcome.Refused, "nothing to write");
        }
        var outcome = await queue.EnqueueAsync(preparation.Address, prepared.Request, Confirmations.SameAs(prepared.Plan), cancellationToken).ConfigureAwait(false);
        return new EditResult(outcome.Result switch
        {
            WriteResult.Confirmed => EditOutcome.Confirmed,
            WriteResult.NotConfirmed => EditOutcome.NotConfirmed,
            WriteResult.NoChange => EditOutcome.NoChange,
            WriteResult.Failed => EditOutcome.Failed,
            // Cancelled here means the pack changed between the dialog and the write.
            _ => EditOutcome.Refused,
        }, outcome.Plan is { } plan ? $"{plan.Change}: {outcome.Reason}" : outcome.Reason);
    }

    public Task CancelledAsync(EditPreparation preparation, CancellationToken cancellationToken)
    {
        if (preparation.Plan is not PreparedWrite prepared)
        {
            return Task.CompletedTask;
        }
        // Off the UI thread: the journal flushes to disk.
        return Task.Run(() => queue.Record(preparation.Address, prepared.Request,
            new WriteOutcome(WriteResult.Cancelled, $"{prepared.Plan.Summary} was not confirmed in the dashboard; nothing written", prepared.Plan)), cancellationToken);
    }

    private sealed record PreparedWrite(ParameterWriteRequest Request, WritePlan Plan);
}
