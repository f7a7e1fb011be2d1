using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using SeplosConsole.Seplos;
using SeplosConsole.Services.Writes;

namespace SeplosConsole.Cli;

/// <summary>edit, backup, restore, journal: the commands that change a pack or record changes.</summary>
public static class WriteCommands
{
    private const string BackupFormat = "seplos-backup/1";

    public static Command Edit(CliContext context, GlobalOptions global)
    {
        var key = new Argument<string>("key") { Description = "Parameter key (see `seplos params`)" };
        var value = new Argument<string>("value") { Description = "New value, e.g. 45 or 45V or 3.45 V" };
        var yes = new Option<bool>("--yes") { Description = "Confirm without asking (needed without a terminal)" };
        var force = new Option<bool>("--force") { Description = "Allow a change of more than 20 %, or to or from zero (ranges and relations still apply)" };
        var command = new Command("edit", "Change one parameter: validate, show old → new, confirm, write, read back, journal") { key, value, yes, force };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = global.Resolve(parse, context);
            BusSession.EnsureWritable(settings, "edit");
            if (Mqtt.BrokerAddress.IsBroker(settings.Port))
            {
                return await RemoteEdit.RunAsync(context, settings, parse.GetValue(key)!, parse.GetValue(value)!, parse.GetValue(yes), parse.GetValue(force), cancellationToken).ConfigureAwait(false);
            }
            var session = await BusSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
            await using var sessionScope = session.ConfigureAwait(false);
            var writer = await CreateWriterAsync(session, settings.Address, settings.JournalPath, cancellationToken).ConfigureAwait(false);
            var request = new ParameterWriteRequest(parse.GetValue(key)!, parse.GetValue(value)!, parse.GetValue(force), "cli");
            var outcome = await writer.ExecuteAsync(request, Confirmation(context, parse.GetValue(yes), settings.Address), cancellationToken).ConfigureAwait(false);
            await (outcome.Succeeded ? context.Output : context.Error).WriteLineAsync(outcome.Message).ConfigureAwait(false);
            return outcome.Succeeded ? SeplosCli.Ok : SeplosCli.Failure;
        });
        return command;
    }

    public static Command Backup(CliContext context, GlobalOptions global)
    {
        var file = new Argument<string>("file") { Description = "Where to write the backup (JSON)" };
        var command = new Command("backup", "Save every parameter with raw and scaled values and the pack's identity to a JSON file") { file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = global.Resolve(parse, context);
            var path = Path.GetFullPath(parse.GetValue(file)!, context.Directory);
            // Checked before the bus is: a typo in the path should not cost a read of the pack first.
            CheckBackupTarget(path);
            var session = await BusSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
            await using var sessionScope = session.ConfigureAwait(false);
            // SPA is the backup; the identity only labels it. A pack that refuses VIA is still backed up.
            var snapshot = await session.ReadAvailableAsync(settings.Address, [BlockId.Spa, BlockId.Via], cancellationToken).ConfigureAwait(false);
            if (!snapshot.Has(BlockId.Spa))
            {
                throw new CliException($"nothing backed up: {snapshot.Missing[0]}");
            }
            var warnings = snapshot.Missing.Select(m => $"identity not read ({m}); check that this file belongs to the pack before restoring it").ToList();
            var json = BackupFile.Create(snapshot, settings.Port, settings.Address, DateTimeOffset.UtcNow);
            if (warnings.Count > 0)
            {
                json["warnings"] = new JsonArray([.. warnings.Select(w => (JsonNode?)w)]);
            }
            try
            {
                await File.WriteAllTextAsync(path, json.ToJsonString(BackupJson) + "\n", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot write the backup: {WriteJournal.Explain(ex, path)}");
            }
            foreach (var warning in warnings)
            {
                await context.Error.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
            }
            await context.Output.WriteLineAsync($"saved {SeplosMap.FieldsOf(BlockId.Spa).Length} parameters of pack {settings.Address} ({snapshot.Text("bms_serial") ?? "identity unknown"}) to {path}").ConfigureAwait(false);
            return warnings.Count == 0 ? SeplosCli.Ok : SeplosCli.Partial;
        });
        return command;
    }

    public static Command Restore(CliContext context, GlobalOptions global)
    {
        var file = new Argument<string>("file") { Description = "A file made by `seplos backup`" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only show the differences and the order of the writes" };
        var only = new Option<string?>("--only") { Description = "Restore only these keys (comma-separated)" };
        var yes = new Option<bool>("--yes") { Description = "Confirm without asking" };
        var force = new Option<bool>("--force") { Description = "Accept a file from another pack of the same model (serial number, cell count), and changes over 20 %" };
        var command = new Command("restore", "Write a backup's parameters back, in an order that keeps every relation true") { file, dryRun, only, yes, force };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = global.Resolve(parse, context);
            if (Mqtt.BrokerAddress.IsBroker(settings.Port) && settings.ReplayFile is null)
            {
                // Said before the file is read: a restore is several writes in an order the pack's
                // own fresh reading decides, which a broker does not carry (docs/mqtt.md).
                throw RemoteBus.NeedsTheBus(settings.Port);
            }
            if (!parse.GetValue(dryRun))
            {
                BusSession.EnsureWritable(settings, "restore");
            }
            var backup = ReadBackup(Path.GetFullPath(parse.GetValue(file)!, context.Directory));
            var wanted = parse.GetValue(only) is { } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(k => SeplosMap.FindField(k)?.Key ?? throw new CliException(ReadCommands.UnknownKey(k))).ToHashSet()
                : null;
            if (backup.UnknownKeys.Count > 0)
            {
                await context.Error.WriteLineAsync($"warning: the backup has {backup.UnknownKeys.Count} key(s) this program does not know, not restored: {string.Join(", ", backup.UnknownKeys.Take(20))}{(backup.UnknownKeys.Count > 20 ? ", …" : "")}").ConfigureAwait(false);
            }
            var session = await BusSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
            await using var sessionScope = session.ConfigureAwait(false);
            var snapshot = await session.ReadAsync(settings.Address, [BlockId.Via, BlockId.Spa], cancellationToken).ConfigureAwait(false);
            var forced = parse.GetValue(force);

            var (refusal, mismatch) = CompareIdentity(backup, snapshot);
            if (refusal is not null)
            {
                throw new CliException(refusal);
            }
            if (mismatch is not null && !forced)
            {
                throw new CliException($"{mismatch}; add --force if you really mean to restore it onto this pack");
            }

            var targets = new Dictionary<string, double>();
            foreach (var (field, raw) in backup.Parameters)
            {
                if (!field.Writable || (wanted is not null && !wanted.Contains(field.Key)))
                {
                    continue;
                }
                if (snapshot.Fields[field.Key].Raw != raw)
                {
                    targets[field.Key] = field.ToValue(raw);
                    await context.Output.WriteLineAsync($"{field.Key}: pack {snapshot.Fields[field.Key].DisplayWithUnit} → backup {SpaValues.Describe(field, raw)}").ConfigureAwait(false);
                }
            }
            if (targets.Count == 0)
            {
                await context.Output.WriteLineAsync("no differences: the pack holds the backup's values").ConfigureAwait(false);
                return SeplosCli.Ok;
            }

            var plan = RestorePlanner.Plan(SpaValues.From(snapshot.Blocks[BlockId.Spa]), targets);
            if (!plan.IsSafe)
            {
                throw new CliException("no order of single writes keeps every relation true: " + string.Join("; ", plan.Blocked));
            }
            await context.Output.WriteLineAsync($"{plan.Steps.Count} write(s), in this order:").ConfigureAwait(false);
            foreach (var (step, index) in plan.Steps.Select((s, i) => (s, i + 1)))
            {
                await context.Output.WriteLineAsync($"  {index}. {step}").ConfigureAwait(false);
            }
            if (parse.GetValue(dryRun))
            {
                return SeplosCli.Ok;
            }

            var writer = await CreateWriterAsync(session, settings.Address, settings.JournalPath, cancellationToken).ConfigureAwait(false);
            // No journal, no write: refuse before asking, as the pipeline does for a single edit.
            if (writer.Journal.CheckWritable() is { } unwritable)
            {
                throw new CliException($"refused: the journal cannot be written ({unwritable}); nothing written");
            }
            var answer = await AskAsync(context, parse.GetValue(yes), $"Type yes to write these {plan.Steps.Count} value(s) to pack {settings.Address}: ", cancellationToken).ConfigureAwait(false);
            if (answer != Answer.Yes)
            {
                var reason = $"the restore was {(answer == Answer.Stopped ? "stopped at the confirmation" : "not confirmed")}; nothing written";
                foreach (var step in plan.Steps)
                {
                    writer.Record(step.ToRequest(forced), new WriteOutcome(WriteResult.Cancelled, reason, new WritePlan(step.Field, step.FromRaw, step.ToRaw, [])));
                }
                await context.Error.WriteLineAsync($"cancelled: {reason}").ConfigureAwait(false);
                return SeplosCli.Failure;
            }

            var applied = 0;
            foreach (var step in plan.Steps)
            {
                var outcome = await writer.ExecuteAsync(step.ToRequest(forced), Confirmations.Automatic, cancellationToken).ConfigureAwait(false);
                if (!outcome.Succeeded)
                {
                    await context.Error.WriteLineAsync(outcome.Message).ConfigureAwait(false);
                    var left = plan.Steps.Skip(applied + 1).Select(s => s.Field.Key).ToList();
                    await context.Error.WriteLineAsync($"stopped after {applied} of {plan.Steps.Count} write(s); not applied: {string.Join(", ", left.Prepend(step.Field.Key))}").ConfigureAwait(false);
                    return SeplosCli.Failure;
                }
                applied++;
                await context.Output.WriteLineAsync(outcome.Message).ConfigureAwait(false);
            }
            await context.Output.WriteLineAsync($"restored {applied} parameter(s)").ConfigureAwait(false);
            return SeplosCli.Ok;
        });
        return command;
    }

    public static Command Journal(CliContext context, GlobalOptions global)
    {
        var json = new Option<bool>("--json") { Description = "Print the journal's JSON lines as they are" };
        var command = new Command("journal", "Show every parameter write attempted from this machine") { json };
        command.SetAction(parse =>
        {
            var settings = global.Resolve(parse, context);
            var journal = new WriteJournal(settings.JournalPath);
            if (Directory.Exists(journal.Path))
            {
                throw new CliException($"the journal path {journal.Path} is a directory, not a file: set `journal =` in seplos.ini to a file");
            }
            if (!File.Exists(journal.Path))
            {
                context.Output.WriteLine($"no writes recorded yet ({journal.Path})");
                return SeplosCli.Ok;
            }
            WriteJournalContents contents;
            try
            {
                if (parse.GetValue(json))
                {
                    context.Output.Write(File.ReadAllText(journal.Path));
                    return SeplosCli.Ok;
                }
                contents = journal.ReadAll();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot read the journal: {WriteJournal.Explain(ex, journal.Path)}");
            }
            var entries = contents.Entries;
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                // One line per attempt: a "sending" line is shown only when no outcome follows it,
                // i.e. the program stopped between the write and its read-back.
                if (entry.Result == WriteJournal.SendingResult && i + 1 < entries.Count && IsOutcomeOf(entries[i + 1], entry))
                {
                    continue;
                }
                var change = entry.OldValue is { } old && entry.NewValue is { } @new ? $"{old} → {@new} {entry.Unit}".TrimEnd() : $"'{InputEcho.Shorten(entry.Requested)}'";
                var result = entry.Result == WriteJournal.SendingResult ? "no outcome" : entry.Result;
                context.Output.WriteLine($"{entry.Time.ToLocalTime():yyyy-MM-dd HH:mm:ss} {result,-13} pack {entry.Address} {entry.Key} {change} ({entry.Source}, {entry.Port}) {(entry.Result == WriteJournal.SendingResult ? "sent, but no outcome recorded (the program stopped during the write): check the register" : entry.Reason)}");
            }
            if (contents.CorruptLines.Count > 0)
            {
                var numbers = string.Join(", ", contents.CorruptLines.Take(10)) + (contents.CorruptLines.Count > 10 ? ", …" : "");
                context.Error.WriteLine($"warning: skipped {contents.CorruptLines.Count} line(s) of {journal.Path} that are not journal entries (line {numbers})");
            }
            return SeplosCli.Ok;
        });
        return command;
    }

    private static readonly JsonSerializerOptions BackupJson = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static bool IsOutcomeOf(WriteJournalEntry outcome, WriteJournalEntry sending)
        => outcome.Result != WriteJournal.SendingResult && outcome.Address == sending.Address && outcome.Key == sending.Key
            && outcome.NewRaw == sending.NewRaw && outcome.Source == sending.Source;

    private static void CheckBackupTarget(string path)
    {
        if (Directory.Exists(path))
        {
            throw new CliException($"cannot write the backup: {path} is a directory; name a file, e.g. {Path.Combine(path, "pack0.json")}");
        }
        if (Path.GetDirectoryName(path) is { } folder && !Directory.Exists(folder))
        {
            throw new CliException($"cannot write the backup: the folder {folder} does not exist");
        }
    }

    private static BackupFile ReadBackup(string path)
    {
        if (Directory.Exists(path))
        {
            throw new CliException($"{path} is a directory, not a backup file");
        }
        if (!File.Exists(path))
        {
            throw new CliException($"backup file {path} does not exist");
        }
        try
        {
            return BackupFile.Parse(File.ReadAllText(path), path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the backup: {WriteJournal.Explain(ex, path)}");
        }
        catch (BackupFileException ex)
        {
            throw new CliException(ex.Message);
        }
    }

    /// <summary>
    /// (refusal, mismatch): another model is never restored (its parameters mean other things);
    /// another pack of the same model (serial number, cell count) needs --force.
    /// </summary>
    private static (string? Refusal, string? Mismatch) CompareIdentity(BackupFile backup, PackSnapshot pack)
    {
        if (backup.Identity.TryGetValue("device_name", out var model) && model != pack.Text("device_name"))
        {
            return ($"the backup is from a {InputEcho.Shorten(model)}, this pack is a {pack.Text("device_name")}: a backup is restored only onto the same model", null);
        }
        if (backup.Identity.TryGetValue("bms_serial", out var serial) && serial != pack.Text("bms_serial"))
        {
            return (null, $"the backup is from the pack with BMS serial {InputEcho.Shorten(serial)}, this pack is {pack.Text("bms_serial")}");
        }
        var cells = backup.Parameters.FirstOrDefault(p => p.Field.Key == "cell_count")?.Raw;
        if (cells is not null && cells != pack.Fields["cell_count"].Raw)
        {
            return (null, $"the backup is from a {cells}-cell pack, this pack has {pack.Fields["cell_count"].Raw} cells");
        }
        return (null, null);
    }

    private static async Task<ParameterWriter> CreateWriterAsync(BusSession session, byte address, string? journalPath, CancellationToken cancellationToken)
        => new(session.Client, address, new WriteJournal(journalPath), await session.ReadSerialAsync(address, cancellationToken).ConfigureAwait(false));

    private static IConfirmation Confirmation(CliContext context, bool yes, byte address) => Confirmations.From(async (plan, cancellationToken) =>
    {
        await context.Output.WriteLineAsync(plan.Summary).ConfigureAwait(false);
        foreach (var warning in plan.Warnings)
        {
            await context.Output.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
        }
        var answer = await AskAsync(context, yes, $"Type yes to write this to pack {address}: ", cancellationToken).ConfigureAwait(false);
        // Stopped (Ctrl+C, SIGTERM, SIGHUP) is a cancellation, as the pipeline expects it.
        cancellationToken.ThrowIfCancellationRequested();
        return answer == Answer.Yes;
    });

    internal enum Answer { Yes, No, Stopped }

    /// <summary>The cursor is left after the prompt; the message that follows goes on a line of its own.</summary>
    private static async Task EndPromptLineAsync(CliContext context)
    {
        try
        {
            await context.Output.WriteLineAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The terminal is gone (SIGHUP): the cancellation must still be journaled.
        }
    }

    /// <summary>
    /// A typed "yes" in full, --yes, or no: without a terminal nobody can answer. Ctrl+C, SIGTERM
    /// and SIGHUP (which cancel <paramref name="cancellationToken"/>) end the wait at once, and so
    /// does the end of input.
    /// </summary>
    internal static async Task<Answer> AskAsync(CliContext context, bool yes, string prompt, CancellationToken cancellationToken)
    {
        if (yes)
        {
            return Answer.Yes;
        }
        if (!context.IsInteractive)
        {
            await context.Error.WriteLineAsync("no terminal to confirm on: run it in a terminal, or add --yes").ConfigureAwait(false);
            return Answer.No;
        }
        await context.Output.WriteAsync(prompt).ConfigureAwait(false);
        await context.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        string? answer;
        try
        {
            answer = await PromptReader.ReadLineAsync(context.Input, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await EndPromptLineAsync(context).ConfigureAwait(false);
            return Answer.Stopped;
        }
        if (answer is null)
        {
            await EndPromptLineAsync(context).ConfigureAwait(false);
        }
        return string.Equals(answer?.Trim(), "yes", StringComparison.OrdinalIgnoreCase) ? Answer.Yes : Answer.No;
    }
}
