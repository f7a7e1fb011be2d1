using System.CommandLine;
using SeplosConsole.Seplos;

namespace SeplosConsole.Cli;

/// <summary>list, params, show, all, info: everything that only reads.</summary>
public static class ReadCommands
{
    public static Command List(CliContext context)
    {
        var command = new Command("list", "List the readings and flags (key, unit, description)");
        command.SetAction(_ =>
        {
            var output = context.Output;
            foreach (var field in SeplosMap.Fields.Where(f => f.Category != FieldCategory.Parameter))
            {
                output.WriteLine($"{field.Key,-40} {field.Unit,-6} {field.Name}{(field.Uncertain ? " (unconfirmed)" : "")}");
            }
            foreach (var flag in SeplosMap.Flags)
            {
                output.WriteLine($"{flag.Key,-40} {"on/off",-6} {flag.Name}{(flag.Uncertain ? " (unconfirmed)" : "")}");
            }
            return 0;
        });
        return command;
    }

    public static Command Params(CliContext context)
    {
        var all = new Option<bool>("--all") { Description = "Also list the read-only and unconfirmed parameters" };
        var command = new Command("params", "List the writable parameters (key, unit, safe range)") { all };
        command.SetAction(parse =>
        {
            var showAll = parse.GetValue(all);
            foreach (var field in SeplosMap.Parameters.Where(f => showAll || f.Writable))
            {
                var range = field.RangeText() ?? "";
                var access = field.Writable ? "" : field.Uncertain ? "read-only, unconfirmed" : "read-only";
                context.Output.WriteLine($"{field.Key,-44} {field.Unit,-4} {range,-18} {access}".TrimEnd());
            }
            return 0;
        });
        return command;
    }

    public static Command Show(CliContext context, GlobalOptions global)
    {
        var keys = new Argument<string[]>("key") { Arity = ArgumentArity.OneOrMore, Description = "Reading, flag or parameter keys (see list and params)" };
        var command = new Command("show", "Read and print values: key value unit") { keys };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var wanted = parse.GetValue(keys) ?? [];
            // Resolve every key before touching the bus, so a typo costs nothing.
            var resolved = wanted.Select(Resolve).ToList();
            // An optional sensor needs its count too (SPA), to know whether it is fitted at all.
            var counts = resolved.Select(r => r.Field?.FittedWhen ?? r.Flag?.FittedWhen).OfType<SensorPresence>().Select(p => SeplosMap.FindField(p.CountKey)!.Block);
            var blocks = resolved.Select(r => r.Block).Concat(counts).Distinct().ToList();
            var settings = global.Resolve(parse, context);
            var source = await PackSource.OpenAsync(settings, context, cancellationToken).ConfigureAwait(false);
            await using var sourceScope = source.ConfigureAwait(false);
            var partial = false;
            var read = 0;
            foreach (var address in settings.Addresses)
            {
                if (await source.ReadAsync(address, blocks, cancellationToken).ConfigureAwait(false) is not { } pack)
                {
                    partial = true;
                    continue;
                }
                read++;
                partial |= pack.IsStale;
                var snapshot = pack.Snapshot;
                if (pack.Origin is { Stale: false } origin)
                {
                    // stderr: stdout keeps the `key value unit` lines a script parses, as on a serial port.
                    context.Error.WriteLine($"pack {address}: {origin.Describe(DateTimeOffset.UtcNow)}");
                }
                var prefix = settings.Addresses.Count > 1 ? $"battery_{address}/" : "";
                foreach (var (field, flag, _) in resolved)
                {
                    if (field is not null && snapshot.Fields.TryGetValue(field.Key, out var reading))
                    {
                        context.Output.WriteLine(prefix + SnapshotFormatter.Line(reading));
                    }
                    else if (flag is not null && snapshot.Flag(flag.Key) is { } on)
                    {
                        context.Output.WriteLine(prefix + SnapshotFormatter.Line(flag, on));
                    }
                    else
                    {
                        // Never a 0 in its place: the key is named on stderr with why it has no value.
                        partial = true;
                        context.Error.WriteLine($"warning: {prefix}{field?.Key ?? flag!.Key}: {SnapshotFormatter.WhyAbsent(snapshot, field?.Key ?? flag!.Key)}");
                    }
                }
            }
            return ExitCode(partial, read);
        });
        return command;
    }

    public static Command All(CliContext context, GlobalOptions global)
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per pack" };
        var command = new Command("all", "Read and print every reading, flag and parameter of a pack") { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = global.Resolve(parse, context);
            var source = await PackSource.OpenAsync(settings, context, cancellationToken).ConfigureAwait(false);
            await using var sourceScope = source.ConfigureAwait(false);
            var partial = false;
            var read = 0;
            foreach (var address in settings.Addresses)
            {
                // SFA is optional: no capture shows a pack answering it yet (register reference, SFA).
                if (await source.ReadAsync(address, [.. SeplosMap.LiveBlocks, .. SeplosMap.SlowBlocks.Where(b => b != BlockId.Sfa)], cancellationToken,
                    optional: [BlockId.Sfa, .. address == 0 ? SeplosMap.SystemBlocks : []]).ConfigureAwait(false) is not { } pack)
                {
                    partial = true;
                    continue;
                }
                read++;
                var snapshot = pack.Snapshot;
                partial |= WarnMissing(context, snapshot) | pack.IsStale;
                var now = DateTimeOffset.UtcNow;
                if (parse.GetValue(json))
                {
                    await context.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    using var buffer = new MemoryStream();
                    SnapshotFormatter.WriteJson(snapshot, settings.Port, buffer, pack.Origin, now);
                    context.Output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
                }
                else
                {
                    if (settings.Addresses.Count > 1)
                    {
                        context.Output.WriteLine($"## Pack {address}");
                    }
                    if (pack.Origin is { } origin)
                    {
                        context.Output.WriteLine($"# From {origin.Describe(now)}");
                    }
                    SnapshotFormatter.WriteText(snapshot, context.Output);
                }
            }
            return ExitCode(partial, read);
        });
        return command;
    }

    public static Command Info(CliContext context, GlobalOptions global)
    {
        var command = new Command("info", "Show who the pack is: maker, model, firmware, serials, inverter protocol, cell and sensor counts");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = global.Resolve(parse, context);
            var session = await BusSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
            await using var sessionScope = session.ConfigureAwait(false);
            var partial = false;
            foreach (var address in settings.Addresses)
            {
                var snapshot = await session.ReadAvailableAsync(address, [BlockId.Via, BlockId.Spa], cancellationToken, optional: [BlockId.Pct]).ConfigureAwait(false);
                partial |= WarnMissing(context, snapshot);
                context.Output.WriteLine($"# Pack {address} on {settings.Port}");
                var keys = SeplosMap.Fields.Where(f => f.Category is FieldCategory.Identity or FieldCategory.Inverter).Select(f => f.Key)
                    .Concat(["cell_count", "ntc_count", "rated_battery_capacity"]);
                foreach (var key in keys)
                {
                    if (snapshot.Fields.TryGetValue(key, out var reading))
                    {
                        context.Output.WriteLine(SnapshotFormatter.Line(reading));
                    }
                }
                SnapshotFormatter.WriteMissing(snapshot, context.Output);
            }
            return partial ? SeplosCli.Partial : SeplosCli.Ok;
        });
        return command;
    }

    /// <summary>0 when every pack was read whole and current; 1 when none was read (from a broker); 3 otherwise.</summary>
    private static int ExitCode(bool partial, int read)
        => !partial ? SeplosCli.Ok : read == 0 ? SeplosCli.Failure : SeplosCli.Partial;

    /// <summary>One stderr line per gap of a partial reading; true when there was any.</summary>
    internal static bool WarnMissing(CliContext context, PackSnapshot snapshot)
    {
        foreach (var missing in snapshot.Missing)
        {
            context.Error.WriteLine($"warning: pack {snapshot.Address}: {missing} (the other readings are shown)");
        }
        return snapshot.IsPartial;
    }

    private static (FieldDefinition? Field, FlagDefinition? Flag, BlockId Block) Resolve(string key)
    {
        if (SeplosMap.FindField(key) is { } field)
        {
            return (field, null, field.Block);
        }
        if (SeplosMap.FindFlag(key) is { } flag)
        {
            return (null, flag, flag.Block);
        }
        throw new CliException(UnknownKey(key));
    }

    public static string UnknownKey(string key)
    {
        var suggestions = NameSuggestions.Closest(key, SeplosMap.AllNames, 3);
        return $"unknown key '{InputEcho.Shorten(key)}'" + (suggestions.Count > 0 ? $"; did you mean {string.Join(", ", suggestions)}?" : "; see `seplos list` and `seplos params`");
    }
}
