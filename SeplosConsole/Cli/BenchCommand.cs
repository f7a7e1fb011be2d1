using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SeplosConsole.Config;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Services;
using SeplosConsole.Simulation;
using SeplosConsole.Transport;

namespace SeplosConsole.Cli;

/// <summary>
/// <c>seplos bench [--simulate | --port PATH] [--packs 0-15] [--seconds N] [--fault-rate R] [--json]</c>:
/// polls as fast as the line allows and prints refresh times, round trips, bytes, errors and the
/// efficiency against what the baud rate allows. With --simulate the packs are the in-process
/// simulator, paced like a real line (19200 baud, 10 ms turnaround).
/// </summary>
public static class BenchCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var packs = new Option<string?>("--packs") { Description = "Pack addresses to poll: 0, 0,1,2 or 0-15 (default: --address or the config)" };
        var seconds = new Option<double>("--seconds") { Description = "How long to run", DefaultValueFactory = _ => 10 };
        var faultRate = new Option<double>("--fault-rate") { Description = "With --simulate: share of replies with a random fault (0–1)", DefaultValueFactory = _ => 0 };
        var turnaround = new Option<double?>("--turnaround-ms") { Description = "Pack turnaround assumed for the theoretical figures (default: the simulator's 10 ms)" };
        var json = new Option<bool>("--json") { Description = "Print the figures as one JSON object" };
        var command = new Command("bench", "Poll as fast as the line allows and measure refresh times, errors and efficiency")
        {
            packs, seconds, faultRate, turnaround, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = global.Resolve(parse, context);
            IReadOnlyList<byte> addresses = settings.Addresses;
            if (parse.GetValue(packs) is { } packText && !AddressList.TryParse(packText, out addresses, out var error))
            {
                throw new CliException($"--packs: {error}");
            }
            var duration = parse.GetValue(seconds);
            if (duration is <= 0 or > 86_400 || double.IsNaN(duration))
            {
                throw new CliException("--seconds: give a time from 0 to 86400 seconds");
            }
            var rate = parse.GetValue(faultRate);
            if (rate is < 0 or > 1 || double.IsNaN(rate))
            {
                throw new CliException($"--fault-rate: {rate.ToString(CultureInfo.InvariantCulture)} is not a share between 0 and 1");
            }
            if (rate > 0 && !settings.IsSimulator)
            {
                throw new CliException("--fault-rate needs --simulate: faults are injected by the simulator");
            }

            var assumedTurnaround = TimeSpan.FromMilliseconds(parse.GetValue(turnaround) ?? 10);
            var rtu = TransportFactory.CreateClient(settings, settings.IsSimulator
                ? new SimulatorOptions
                {
                    Addresses = addresses,
                    BaudRate = settings.BaudRate,
                    FaultRate = rate,
                    Turnaround = assumedTurnaround,
                }
                : null);
            // Faults injected are counted by the simulator, when there is one.
            var simulator = (rtu.Transport as InProcessSimulatorTransport)?.Simulator;
            var transport = rtu.Transport;
            await using var rtuScope = rtu.ConfigureAwait(false);
            var client = new SeplosClient(rtu);
            if (!parse.GetValue(json))
            {
                await context.Error.WriteLineAsync($"polling pack(s) {AddressList.Format(addresses)} on {transport.Name} for {duration:0.#} s …").ConfigureAwait(false);
            }
            var result = await BusBenchmark.RunAsync(
                client,
                addresses,
                TimeSpan.FromSeconds(duration),
                transport.BaudRate ?? settings.BaudRate,
                assumedTurnaround,
                simulator is null ? null : () => simulator.Faults.TotalInjected,
                cancellationToken).ConfigureAwait(false);

            await context.Output.WriteAsync(parse.GetValue(json) ? ToJson(result) : Format(result)).ConfigureAwait(false);
            return SeplosCli.Ok;
        });
        return command;
    }

    /// <summary>The figures as one indented JSON object with camelCase names, for scripts.</summary>
    public static string ToJson(BenchResult result) => JsonSerializer.Serialize(result, BenchJsonContext.Default.BenchResult) + "\n";

    /// <summary>The figures as a table for a person.</summary>
    public static string Format(BenchResult r)
    {
        var text = new StringBuilder();
        void Line(string label, string value) => text.Append(CultureInfo.InvariantCulture, $"{label,-28} {value}\n");
        static string Timing(TimingSummary t) => t.Count == 0
            ? "no samples"
            : string.Create(CultureInfo.InvariantCulture, $"mean {t.Mean,6:0.0}  p50 {t.P50,6:0.0}  p95 {t.P95,6:0.0}  p99 {t.P99,6:0.0}  max {t.Max,6:0.0} ms  (n={t.Count})");

        Line("link", $"{r.Link}, {r.BaudRate} baud 8N1, turnaround {r.TurnaroundMs:0.#} ms");
        Line("packs", $"{AddressList.Format(r.Packs)} ({r.Packs.Count}), {r.ElapsedSeconds:0.0} s");
        Line("full refresh (PIA+PIB+PIC)", Timing(r.FullRefresh));
        foreach (var (block, timing) in r.RoundTrips)
        {
            Line($"  {block} round trip", Timing(timing));
        }
        Line("refreshes", string.Create(CultureInfo.InvariantCulture, $"{r.Refreshes} ({r.RefreshesPerSecond:0.00}/s), failed polls {r.FailedPolls}"));
        Line("theoretical refresh", string.Create(CultureInfo.InvariantCulture, $"{r.TheoreticalRefreshMs:0.0} ms ({BusBenchmark.FullRefreshBytes} bytes on the wire + {BusBenchmark.RequestsPerRefresh} turnarounds)"));
        Line("share of theoretical rate", string.Create(CultureInfo.InvariantCulture, $"{r.ShareOfTheoreticalRate:P1}"));
        Line("sweep (every pack once)", string.Create(CultureInfo.InvariantCulture, $"{r.SweepMs:0.0} ms, theoretical {r.TheoreticalSweepMs:0.0} ms ({(r.TheoreticalSweepMs > 0 ? r.SweepMs / r.TheoreticalSweepMs : 0):0.00}×)"));
        Line("bytes on the wire", $"{r.BytesSent} sent, {r.BytesReceived} received, {r.DiscardedBytes} discarded");
        Line("efficiency (wire/elapsed)", string.Create(CultureInfo.InvariantCulture, $"{r.Efficiency:P1}, theoretical {r.TheoreticalEfficiency:P1}"));
        Line("errors", $"{r.Timeouts} timeouts, {r.CrcErrors} CRC, {r.Exceptions} exceptions, {r.Mismatches} mismatches");
        Line("link", $"{r.LinkDrops} drops, {r.Reconnects} reconnects");
        if (r.FaultsInjected is { } faults)
        {
            Line("faults injected", $"{faults}");
        }
        Line("recovery", $"at most {r.MaxFailedPollsInARow} failed poll(s) of a pack in a row; {r.PacksOnlineAtEnd} of {r.Packs.Count} packs online at the end"
            + (r.PacksFailingAtEnd > 0 ? $" ({r.PacksFailingAtEnd} hit by a fault in its last poll)" : ""));
        Line("processor", string.Create(CultureInfo.InvariantCulture, $"{r.CpuShare:P1} of one core (whole process{(r.FaultsInjected is null ? "" : ", simulator included")})"));
        Line("resident memory", string.Create(CultureInfo.InvariantCulture, $"{r.ResidentMemoryStartMiB:0.0} MiB at start, {r.ResidentMemoryWarmMiB:0.0} warmed up, {r.ResidentMemoryEndMiB:0.0} at end ({r.ResidentMemoryEndMiB - r.ResidentMemoryWarmMiB:+0.0;-0.0} since warm-up)"));
        Line("managed heap after GC", string.Create(CultureInfo.InvariantCulture, $"{r.ManagedHeapWarmMiB:0.00} MiB warmed up, {r.ManagedHeapEndMiB:0.00} at end"));
        return text.ToString();
    }
}

/// <summary>
/// The JSON of <c>seplos bench --json</c>, generated at compile time: no reflection, so it works in
/// the trimmed native program. snake_case names, as every JSON this program writes (issue 10).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(BenchResult))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
