using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using SeplosConsole.Seplos;
using SeplosConsole.Services.Writes;

namespace SeplosConsole.Cli;

/// <summary>
/// <c>seplos clock [--json]</c>: the pack's clock, the host's and the drift.
/// <c>seplos clock --set [--utc] [--yes]</c>: sets the pack's clock to the host's through
/// <see cref="ClockWriter"/> (plan, typed "yes", journal before sending, one write, read-back).
/// </summary>
public static class ClockCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per pack: pack_time, host_time, drift_seconds" };
        var set = new Option<bool>("--set") { Description = "Set the pack's clock to the host's (shows old → new, asks for yes, journals, reads back)" };
        var utc = new Option<bool>("--utc") { Description = "The pack keeps UTC rather than the host's local time" };
        var yes = new Option<bool>("--yes") { Description = "With --set: confirm without asking (needed without a terminal)" };
        var command = new Command("clock", "Show the pack's clock and its drift from the host's; --set corrects it") { json, set, utc, yes };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = global.Resolve(parse, context);
            var zone = parse.GetValue(utc) ? TimeZoneInfo.Utc : TimeZoneInfo.Local;
            if (parse.GetValue(set) && settings.Addresses.Count > 1)
            {
                throw new Config.UsageException("clock --set sets one pack at a time, each with its own confirmation: give one --address");
            }
            if (parse.GetValue(set))
            {
                BusSession.EnsureWritable(settings, "clock --set");
            }
            var session = await BusSession.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
            await using var sessionScope = session.ConfigureAwait(false);
            if (parse.GetValue(set))
            {
                var writer = new ClockWriter(session.Client, settings.Address, new WriteJournal(settings.JournalPath), await session.ReadSerialAsync(settings.Address, cancellationToken).ConfigureAwait(false));
                var outcome = await writer.ExecuteAsync(zone, async (plan, token) =>
                {
                    await context.Output.WriteLineAsync(plan.Summary).ConfigureAwait(false);
                    foreach (var warning in plan.Warnings)
                    {
                        await context.Output.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
                    }
                    var answer = await WriteCommands.AskAsync(context, parse.GetValue(yes), $"Type yes to set the clock of pack {settings.Address}: ", token).ConfigureAwait(false);
                    // Stopped (Ctrl+C, SIGTERM, SIGHUP) is a cancellation, as in the parameter pipeline.
                    token.ThrowIfCancellationRequested();
                    return answer == WriteCommands.Answer.Yes;
                }, cancellationToken).ConfigureAwait(false);
                await (outcome.Succeeded || outcome.Result == WriteResult.NoChange ? context.Output : context.Error).WriteLineAsync(outcome.Message).ConfigureAwait(false);
                return outcome.Succeeded || outcome.Result == WriteResult.NoChange ? SeplosCli.Ok : SeplosCli.Failure;
            }
            foreach (var address in settings.Addresses)
            {
                var clock = await session.Client.ReadClockAsync(address, cancellationToken).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    await context.Output.WriteLineAsync(Json(address, clock, zone).ToJsonString()).ConfigureAwait(false);
                    continue;
                }
                if (settings.Addresses.Count > 1)
                {
                    await context.Output.WriteLineAsync($"## Pack {address}").ConfigureAwait(false);
                }
                await context.Output.WriteLineAsync(Text(clock, zone)).ConfigureAwait(false);
            }
            return SeplosCli.Ok;
        });
        return command;
    }

    public static JsonObject Json(byte address, PackClockReading clock, TimeZoneInfo zone) => new()
    {
        ["address"] = address,
        ["pack_time"] = clock.PackTime is { } pack ? Tb13Date.Format(pack) : null,
        ["host_time"] = Tb13Date.Format(clock.HostTime(zone)),
        ["zone"] = zone == TimeZoneInfo.Utc ? "utc" : "local",
        ["drift_seconds"] = clock.Drift(zone) is { } drift ? Math.Round(drift.TotalSeconds, 1) : null,
    };

    public static string Text(PackClockReading clock, TimeZoneInfo zone)
    {
        var pack = clock.PackTime is { } time ? Tb13Date.Format(time) : "no valid date";
        var drift = clock.Drift(zone) is { } d
            ? string.Create(CultureInfo.InvariantCulture, $"{PackClockReading.Describe(d)} ({d.TotalSeconds:0} s; {(d >= TimeSpan.Zero ? "the pack is ahead" : "the pack is behind")})")
            : "unknown";
        return $"pack clock  {pack}\nhost clock  {Tb13Date.Format(clock.HostTime(zone))} ({(zone == TimeZoneInfo.Utc ? "UTC" : "local time")})\ndrift       {drift}";
    }
}
