using SeplosConsole.Config;
using SeplosConsole.Mqtt;
using SeplosConsole.Services.Writes;
using SeplosConsole.Tui;

namespace SeplosConsole.Cli;

/// <summary>
/// <c>seplos --mqtt edit KEY VALUE</c>: the serial <c>edit</c>'s contract (old → new, <c>Type yes</c>,
/// exit 0 only when confirmed) through the bridge that owns the pack's bus, by the same
/// <see cref="RemoteWriteClient"/> the broker-fed dashboard uses (docs/mqtt.md, "Remote edits").
/// </summary>
internal static class RemoteEdit
{
    /// <summary>The journal's source: a write typed on the command line, as on a serial port.</summary>
    private const string Source = "cli";

    public static async Task<int> RunAsync(CliContext context, SeplosSettings settings, string key, string value, bool yes, bool force, CancellationToken cancellationToken)
    {
        BusSession.RefuseRecording(settings);
        if (force)
        {
            // The bridge applies the 20 % rule itself (WriteQueueHandler never forces): a --force
            // carried no further than this machine would only turn into the bridge's refusal.
            throw new UsageException("--force is not sent to a bridge: it checks every edit from a broker with the 20 % rule; make the change in steps, or with `seplos edit --force` on the machine that owns the bus");
        }
        var broker = await BrokerSnapshots.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
        await using var brokerScope = broker.ConfigureAwait(false);
        using var client = new RemoteWriteClient(broker.Feed, new WriteJournal(settings.JournalPath)) { RequestSource = Source, ViewerName = "seplos edit" };
        var address = settings.Address;
        // The pack's snapshot (with the bridge's write_keys and its parameters), up to show's deadline;
        // without one the client refuses, naming why, and journals the refusal.
        await broker.WaitForAsync(address, cancellationToken).ConfigureAwait(false);
        var preparation = await client.PrepareAsync(address, key, value, cancellationToken).ConfigureAwait(false);
        if (preparation.IsRefused)
        {
            await context.Error.WriteLineAsync($"refused: {preparation.RefusalReason}").ConfigureAwait(false);
            return SeplosCli.Failure;
        }
        await context.Output.WriteLineAsync(preparation.PlanText).ConfigureAwait(false);
        foreach (var note in preparation.Warnings)
        {
            await context.Output.WriteLineAsync($"note: {note}").ConfigureAwait(false);
        }
        var answer = await WriteCommands.AskAsync(context, yes, $"Type yes to send this to bridge {broker.Feed.Remote(address)?.Bridge} for its pack {broker.Feed.Remote(address)?.Address}: ", cancellationToken).ConfigureAwait(false);
        if (answer != WriteCommands.Answer.Yes)
        {
            // Ctrl+C, SIGTERM or the end of input: journaled as cancelled even though the token is.
            var how = answer == WriteCommands.Answer.Stopped || cancellationToken.IsCancellationRequested ? "was stopped at the confirmation" : "was not confirmed";
            await context.Error.WriteLineAsync($"cancelled: {await client.CancelledAsync(preparation, how, CancellationToken.None).ConfigureAwait(false)}").ConfigureAwait(false);
            return SeplosCli.Failure;
        }
        var result = await client.ApplyAsync(preparation, cancellationToken).ConfigureAwait(false);
        var confirmed = result.Outcome == EditOutcome.Confirmed;
        var label = result.Outcome switch
        {
            EditOutcome.Confirmed => "confirmed",
            EditOutcome.NotConfirmed => "not confirmed",
            EditOutcome.Failed => "failed",
            _ => "refused",
        };
        await (confirmed ? context.Output : context.Error).WriteLineAsync($"{label}: {preparation.Key}: {result.Message}").ConfigureAwait(false);
        return confirmed ? SeplosCli.Ok : SeplosCli.Failure;
    }
}
