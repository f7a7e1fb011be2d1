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
            var session = await BusSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
            await using var sessionScope = session.ConfigureAwait(false);
            var snapshot = await session.ReadAsync(settings.Address, [BlockId.Via, BlockId.Spa], cancellationToken).ConfigureAwait(false);
            var path = Path.GetFullPath(parse.GetValue(file)!, context.Directory);
            var json = new JsonObject
            {
                ["format"] = BackupFormat,
                ["created"] = DateTimeOffset.UtcNow.ToString("O"),
                ["port"] = settings.Port,
                ["address"] = settings.Address,
                ["identity"] = new JsonObject(SeplosMap.Fields.Where(f => f.Category == FieldCategory.Identity)
                    .Select(f => KeyValuePair.Create(f.Key, (JsonNode?)snapshot.Text(f.Key)))),
                ["parameters"] = new JsonObject(SeplosMap.FieldsOf(BlockId.Spa).Select(f => KeyValuePair.Create(f.Key, (JsonNode?)ParameterJson(snapshot.Fields[f.Key])))),
            };
            await File.WriteAllTextAsync(path, json.ToJsonString(BackupJson) + "\n", cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"saved {SeplosMap.FieldsOf(BlockId.Spa).Length} parameters of pack {settings.Address} ({snapshot.Text("bms_serial")}) to {path}").ConfigureAwait(false);
            return SeplosCli.Ok;
        });
        return command;
    }

    public static Command Restore(CliContext context, GlobalOptions global)
    {
        var file = new Argument<string>("file") { Description = "A file made by `seplos backup`" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only show the differences and the order of the writes" };
        var only = new Option<string?>("--only") { Description = "Restore only these keys (comma-separated)" };
        var yes = new Option<bool>("--yes") { Description = "Confirm without asking" };
        var force = new Option<bool>("--force") { Description = "Accept a file from another model or cell count, and changes over 20 %" };
        var command = new Command("restore", "Write a backup's parameters back, in an order that keeps every relation true") { file, dryRun, only, yes, force };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = global.Resolve(parse, context);
            var backup = ReadBackup(Path.GetFullPath(parse.GetValue(file)!, context.Directory));
            var session = await BusSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
            await using var sessionScope = session.ConfigureAwait(false);
            var snapshot = await session.ReadAsync(settings.Address, [BlockId.Via, BlockId.Spa], cancellationToken).ConfigureAwait(false);
            var forced = parse.GetValue(force);

            var mismatch = CompareIdentity(backup, snapshot);
            if (mismatch is not null && !forced)
            {
                throw new CliException($"{mismatch}; add --force if you really mean to restore it onto this pack");
            }

            var wanted = parse.GetValue(only) is { } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(k => SeplosMap.FindField(k)?.Key ?? throw new CliException(ReadCommands.UnknownKey(k))).ToHashSet()
                : null;
            var targets = new Dictionary<string, double>();
            foreach (var (key, node) in backup.Parameters)
            {
                if (SeplosMap.FindField(key) is not { Writable: true } field || (wanted is not null && !wanted.Contains(field.Key)))
                {
                    continue;
                }
                var raw = node?["raw"]?.GetValue<long>() ?? throw new CliException($"the backup has no raw value for {key}");
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
            if (!await AskAsync(context, parse.GetValue(yes), $"Type yes to write these {plan.Steps.Count} value(s) to pack {settings.Address}: ", cancellationToken).ConfigureAwait(false))
            {
                await context.Error.WriteLineAsync("cancelled: nothing written").ConfigureAwait(false);
                return SeplosCli.Failure;
            }

            var writer = await CreateWriterAsync(session, settings.Address, settings.JournalPath, cancellationToken).ConfigureAwait(false);
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
            if (!File.Exists(journal.Path))
            {
                context.Output.WriteLine($"no writes recorded yet ({journal.Path})");
                return SeplosCli.Ok;
            }
            if (parse.GetValue(json))
            {
                context.Output.Write(File.ReadAllText(journal.Path));
                return SeplosCli.Ok;
            }
            foreach (var entry in journal.Read())
            {
                var change = entry.OldValue is { } old && entry.NewValue is { } @new ? $"{old} → {@new} {entry.Unit}".TrimEnd() : $"'{entry.Requested}'";
                context.Output.WriteLine($"{entry.Time.ToLocalTime():yyyy-MM-dd HH:mm:ss} {entry.Result,-13} pack {entry.Address} {entry.Key} {change} ({entry.Source}, {entry.Port}) {entry.Reason}");
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

    private static JsonObject ParameterJson(FieldReading reading)
    {
        var field = reading.Field;
        var json = new JsonObject
        {
            ["register"] = $"0x{field.Address:X4}",
            ["raw"] = reading.Raw,
            ["value"] = reading.Value,
            ["unit"] = field.Unit,
            ["writable"] = field.Writable,
        };
        if (field.Uncertain)
        {
            json["unconfirmed"] = true;
        }
        return json;
    }

    private sealed record BackupFile(JsonObject Identity, JsonObject Parameters);

    private static BackupFile ReadBackup(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"backup file {path} does not exist");
        }
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            if (root?["format"]?.GetValue<string>() != BackupFormat || root["parameters"] is not JsonObject parameters)
            {
                throw new CliException($"{path} is not a backup made by `seplos backup` (format {BackupFormat})");
            }
            return new BackupFile(root["identity"] as JsonObject ?? [], parameters);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new CliException($"cannot read {path}: {ex.Message}");
        }
    }

    private static string? CompareIdentity(BackupFile backup, PackSnapshot pack)
    {
        var model = backup.Identity["device_name"]?.GetValue<string>();
        if (model is not null && model != pack.Text("device_name"))
        {
            return $"the backup is from a {model}, this pack is a {pack.Text("device_name")}";
        }
        var cells = backup.Parameters["cell_count"]?["raw"]?.GetValue<long>();
        if (cells is not null && cells != pack.Fields["cell_count"].Raw)
        {
            return $"the backup is from a {cells}-cell pack, this pack has {pack.Fields["cell_count"].Raw} cells";
        }
        return null;
    }

    private static async Task<ParameterWriter> CreateWriterAsync(BusSession session, byte address, string? journalPath, CancellationToken cancellationToken)
    {
        // The serial goes into the journal: the address is a DIP switch, the serial is the pack.
        string? serial = null;
        try
        {
            var via = await session.Client.ReadBlockAsync(address, BlockId.Via, cancellationToken).ConfigureAwait(false);
            serial = PackSnapshot.Empty(address).With(via).Text("bms_serial");
        }
        catch (Exception ex) when (ex is PackRefusedException or Rtu.RtuException)
        {
            // No serial in the journal then; the pipeline itself reports a silent pack, and journals it.
        }
        return new ParameterWriter(session.Client, address, new WriteJournal(journalPath), serial);
    }

    private static IConfirmation Confirmation(CliContext context, bool yes, byte address) => Confirmations.From(async (plan, cancellationToken) =>
    {
        await context.Output.WriteLineAsync(plan.Summary).ConfigureAwait(false);
        foreach (var warning in plan.Warnings)
        {
            await context.Output.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
        }
        return await AskAsync(context, yes, $"Type yes to write this to pack {address}: ", cancellationToken).ConfigureAwait(false);
    });

    /// <summary>A typed "yes" in full, --yes, or no: without a terminal nobody can answer.</summary>
    internal static async Task<bool> AskAsync(CliContext context, bool yes, string prompt, CancellationToken cancellationToken)
    {
        if (yes)
        {
            return true;
        }
        if (!context.IsInteractive)
        {
            await context.Error.WriteLineAsync("no terminal to confirm on: run it in a terminal, or add --yes").ConfigureAwait(false);
            return false;
        }
        await context.Output.WriteAsync(prompt).ConfigureAwait(false);
        await context.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        var answer = await context.Input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        return string.Equals(answer?.Trim(), "yes", StringComparison.OrdinalIgnoreCase);
    }
}
