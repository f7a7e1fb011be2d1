using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using SeplosConsole.Seplos;
using SeplosConsole.Services;

namespace SeplosConsole.Cli;

/// <summary>
/// <c>seplos watch [--json] [--seconds N] [--count N]</c>: a stream of readings for scripts, one
/// line (or one snake_case JSON object) per pack per poll — or per cycle of the master's traffic
/// with <c>--listen</c>. Ends after N seconds, after N readings, or on Ctrl+C, always with exit 0.
/// </summary>
public static class WatchCommand
{
    /// <summary>Fields a text line shows when the pack has them (system totals for a master heard only as such).</summary>
    private static readonly string[] Headline =
        ["pack_voltage", "current", "soc", "max_cell_voltage", "min_cell_voltage", "system_voltage", "system_current", "system_soc"];

    public static Command Create(CliContext context, GlobalOptions global)
    {
        var json = new Option<bool>("--json") { Description = "One JSON object per reading (snake_case)" };
        var seconds = new Option<double?>("--seconds") { Description = "Stop after this many seconds" };
        var count = new Option<int?>("--count") { Description = "Stop after this many readings" };
        // Usage errors (exit 2), found while parsing.
        seconds.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } value && (!double.IsFinite(value) || value <= 0))
            {
                result.AddError("--seconds: give a positive number of seconds");
            }
        });
        count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
            {
                result.AddError("--count: give a positive number of readings");
            }
        });
        var command = new Command("watch", "Print a stream of readings (by polling, or with --listen from the master's traffic) until Ctrl+C") { json, seconds, count };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var limitSeconds = parse.GetValue(seconds);
            var limitCount = parse.GetValue(count);
            var settings = global.Resolve(parse, context);
            var asJson = parse.GetValue(json);
            var bus = LiveBus.Create(settings);
            await using var busScope = bus.ConfigureAwait(false);
            var cycles = new ReadingCycles(perBlockUpdates: bus.Feed.IsListenOnly);
            // The feed raises events on its own tasks; one reader prints them in order.
            var readings = Channel.CreateUnbounded<PackStatus>(new UnboundedChannelOptions { SingleReader = true });
            bus.Feed.PackUpdated += (_, status) => readings.Writer.TryWrite(status);
            // A link that cannot be opened gives no pack a status in listen mode: say why on stderr,
            // once per different reason (the listener retries with back-off).
            string? linkError = null;
            var errorGate = new Lock();
            bus.Feed.Event += (_, e) =>
            {
                if (e is { Level: BusEventLevel.Error, Address: null })
                {
                    lock (errorGate)
                    {
                        if (e.Message != linkError)
                        {
                            linkError = e.Message;
                            context.Error.WriteLine($"watch: {e.Message}");
                        }
                    }
                }
            };

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (limitSeconds is { } limit)
            {
                stop.CancelAfter(TimeSpan.FromSeconds(limit));
            }
            var running = bus.RunAsync(stop.Token);
            var printed = 0;
            try
            {
                await foreach (var status in readings.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    foreach (var reading in cycles.Add(status))
                    {
                        await context.Output.WriteLineAsync(asJson ? JsonLine(reading) : TextLine(reading)).ConfigureAwait(false);
                        await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                        if (++printed == limitCount)
                        {
                            await stop.CancelAsync().ConfigureAwait(false);
                            break;
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Ctrl+C, --seconds or --count: the stream simply ends.
            }
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await running.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            // Nothing printed and the link failed: that is a failure a script must see.
            lock (errorGate)
            {
                return printed == 0 && linkError is not null && !cancellationToken.IsCancellationRequested ? SeplosCli.Failure : SeplosCli.Ok;
            }
        });
        return command;
    }

    public static string TextLine(PackStatus status)
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{status.Snapshot.UpdatedAt ?? DateTimeOffset.UtcNow:HH:mm:ss.fff} pack {status.Address} {status.State.ToString().ToLowerInvariant()}");
        if (status.State != PackLinkState.Online)
        {
            return status.LastError is { } error ? line.Append(": ").Append(error).ToString() : line.ToString();
        }
        foreach (var key in Headline)
        {
            if (status.Snapshot.Fields.TryGetValue(key, out var reading))
            {
                line.Append(' ').Append(key).Append('=').Append(reading.DisplayWithUnit.Replace(" ", "", StringComparison.Ordinal));
            }
        }
        var alarms = status.Snapshot.ActiveProblems.Select(f => f.Key).ToList();
        line.Append(" alarms: ").Append(alarms.Count == 0 ? "none" : string.Join(",", alarms));
        if (status.Snapshot.UnknownBits.Count > 0)
        {
            line.Append(" unknown_bits: ").Append(status.Snapshot.UnknownBits.Count);
        }
        return line.ToString();
    }

    public static string JsonLine(PackStatus status)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = SnapshotFormatter.JsonOptions.Encoder }))
        {
            var snapshot = status.Snapshot;
            json.WriteStartObject();
            json.WriteString("time", (snapshot.UpdatedAt ?? DateTimeOffset.UtcNow).ToString("O", CultureInfo.InvariantCulture));
            json.WriteNumber("address", status.Address);
            json.WriteString("state", status.State.ToString().ToLowerInvariant());
            if (status.LastError is { } error)
            {
                json.WriteString("error", error);
            }
            json.WriteStartArray("blocks");
            foreach (var block in snapshot.Blocks.Keys.Order())
            {
                json.WriteStringValue(SeplosMap.Block(block).Name);
            }
            json.WriteEndArray();
            json.WriteStartObject("values");
            foreach (var field in SeplosMap.Fields)
            {
                if (!snapshot.Fields.TryGetValue(field.Key, out var reading))
                {
                    continue;
                }
                if (reading.Text is { } text)
                {
                    json.WriteString(field.Key, text);
                }
                else if (reading.Value is { } value)
                {
                    json.WriteNumber(field.Key, value);
                }
            }
            json.WriteEndObject();
            WriteKeys(json, "active_alarms", snapshot.ActiveProblems);
            WriteKeys(json, "states", SeplosMap.Flags.Where(f => !f.IsProblem && f.Kind != FlagKind.Setting && snapshot.Flag(f.Key) == true));
            WriteKeys(json, "switches_enabled", SeplosMap.Flags.Where(f => f.Kind == FlagKind.Setting && snapshot.Flag(f.Key) == true));
            SnapshotFormatter.WriteUnknownBits(json, snapshot);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteKeys(Utf8JsonWriter json, string name, IEnumerable<FlagDefinition> flags)
    {
        json.WriteStartArray(name);
        foreach (var flag in flags)
        {
            json.WriteStringValue(flag.Key);
        }
        json.WriteEndArray();
    }
}
