using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using SeplosConsole.Mqtt;
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
        var command = new Command("watch", "Print a stream of readings (by polling, with --listen from the master's traffic, or with --mqtt from a broker) until Ctrl+C") { json, seconds, count };
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
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // From a broker: a first connection that fails ends watch with that one line (exit 1);
            // losses after it was connected are retried like a serial link's.
            var broker = bus.Feed as BrokerFeed;
            var brokerWatch = broker is null ? null : new FirstConnection(broker, stop);
            bus.Feed.Event += (_, e) =>
            {
                if (e is { Level: BusEventLevel.Error, Address: null } && (brokerWatch is null || brokerWatch.Connected == true))
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

            if (limitSeconds is { } limit)
            {
                stop.CancelAfter(TimeSpan.FromSeconds(limit));
            }
            var running = bus.RunAsync(stop.Token);
            // A feed that ends on its own (a replay at its end, a poller that failed) ends the stream
            // too; before, watch waited for Ctrl+C in silence.
            _ = running.ContinueWith(_ => readings.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            var printed = 0;
            try
            {
                await foreach (var status in readings.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    foreach (var reading in cycles.Add(status))
                    {
                        var origin = broker is null ? null : RemoteOrigin.Of(broker, reading);
                        await context.Output.WriteLineAsync(asJson ? JsonLine(reading, origin) : TextLine(reading, origin)).ConfigureAwait(false);
                        await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                        if (++printed == limitCount)
                        {
                            await stop.CancelAsync().ConfigureAwait(false);
                            break;
                        }
                    }
                    if (printed == limitCount)
                    {
                        // Readings already queued (a broker's retained snapshots come at once) are not printed.
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Ctrl+C, --seconds or --count: the stream simply ends.
            }
            var endedOnItsOwn = running.IsCompleted && !stop.IsCancellationRequested;
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await running.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The feed ends so when it is stopped: that is how it was asked to end, not a failure.
            }
            if (brokerWatch?.Failure is { } failure)
            {
                context.Error.WriteLine($"watch: MQTT: {failure}");
                return SeplosCli.Failure;
            }
            if (printed == 0 && settings.ReplayFile is { } replay && endedOnItsOwn)
            {
                context.Error.WriteLine($"watch: {replay} holds no readings (not a recording made by --record?)");
                return SeplosCli.Failure;
            }
            // Nothing printed and the link failed: that is a failure a script must see.
            lock (errorGate)
            {
                return printed == 0 && linkError is not null && !cancellationToken.IsCancellationRequested ? SeplosCli.Failure : SeplosCli.Ok;
            }
        });
        return command;
    }

    /// <param name="origin">From a broker: the bridge and the reading's age, after the state.</param>
    public static string TextLine(PackStatus status, RemoteOrigin? origin = null)
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{status.Snapshot.UpdatedAt ?? DateTimeOffset.UtcNow:HH:mm:ss.fff} pack {status.Address} {status.State.ToString().ToLowerInvariant()}");
        if (origin is not null)
        {
            line.Append(" bridge=").Append(origin.Bridge);
            if (origin.AgeAt(DateTimeOffset.UtcNow) is { } age)
            {
                line.Append(CultureInfo.InvariantCulture, $" age={age.TotalSeconds:0.000}s");
            }
        }
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

    /// <param name="origin">From a broker: <c>bridge</c>, <c>bridge_address</c>, <c>age_seconds</c> (when printed), <c>stale</c>.</param>
    public static string JsonLine(PackStatus status, RemoteOrigin? origin = null)
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
            if (origin is not null)
            {
                SnapshotFormatter.WriteOrigin(json, origin, DateTimeOffset.UtcNow);
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

    /// <summary>Whether a broker feed has connected yet, and why its first attempt failed (which stops watch).</summary>
    private sealed class FirstConnection
    {
        private readonly Lock _gate = new();
        private bool? _connected;
        private string? _failure;

        public FirstConnection(BrokerFeed feed, CancellationTokenSource stop)
        {
            feed.ConnectionChanged += (_, status) =>
            {
                lock (_gate)
                {
                    if (status.State == MqttConnectionState.Connected)
                    {
                        _connected = true;
                    }
                    else if (_connected != true && status is { State: MqttConnectionState.Disconnected, LastError: { } error })
                    {
                        _connected = false;
                        _failure ??= error;
                        stop.Cancel();
                    }
                }
            };
        }

        /// <summary>True once connected; false after a first attempt failed; null before either.</summary>
        public bool? Connected
        {
            get
            {
                lock (_gate)
                {
                    return _connected;
                }
            }
        }

        public string? Failure
        {
            get
            {
                lock (_gate)
                {
                    return _failure;
                }
            }
        }
    }
}
