using System.CommandLine;
using System.Globalization;
using SeplosConsole.Config;
using SeplosConsole.Simulation;

namespace SeplosConsole.Cli;

/// <summary>
/// <c>seplos simulate --link PATH [--packs 0,1,2] [--master] [--play-master] [--refuse BLOCK[:COUNT]]</c>: simulated packs on a
/// pseudo-terminal, so any program (this one, the vendor's, a script) can talk to them as to a
/// USB adapter. Serves until Ctrl+C.
/// </summary>
public static class SimulateCommand
{
    public static Command Create(CliContext context)
    {
        var link = new Option<string>("--link") { Description = "Path of the symlink to create, e.g. /tmp/sim0", Required = true };
        var packs = new Option<string>("--packs") { Description = "Pack addresses: 0, 0,1,2 or 0-15", DefaultValueFactory = _ => "0" };
        var master = new Option<bool>("--master") { Description = "Pack 0 is the master of a parallel system (answers EIA/EIB/EIC)" };
        var playMaster = new Option<bool>("--play-master")
        {
            Description = "Pack 0 also plays the bus master: it polls the other packs itself and sends its own data unasked, for trying --listen (implies --master)",
        };
        var faultRate = new Option<double>("--fault-rate") { Description = "Share of replies with a random fault (0–1), for testing recovery", DefaultValueFactory = _ => 0 };
        var turnaround = new Option<int>("--turnaround-ms") { Description = "Milliseconds a pack takes before it answers", DefaultValueFactory = _ => 10 };
        var history = new Option<int>("--history") { Description = "History records each pack serves (newest first, over months)", DefaultValueFactory = _ => new SimulatorOptions().HistoryRecords };
        var clockDrift = new Option<double>("--clock-drift") { Description = "Seconds each pack's clock is ahead of the host (negative: behind); `clock --set` corrects it", DefaultValueFactory = _ => new SimulatorOptions().ClockDrift.TotalSeconds };
        var refuse = new Option<string[]>("--refuse")
        {
            Description = "A block the packs refuse with exception 02, as a pack without it does: pic, via … or pia:0x12 (only reads of that size); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };

        var replay = new Option<string?>("--replay") { Description = "Play this capture (one burst of hex per line) on the link in a loop, with its timestamps or at line rate, for --listen" };
        var replaceByte = new Option<string?>("--replace-byte") { Description = "With --replay: send every byte FROM as TO, e.g. 5C=0A for a capture tool that replaced 0x0A" };
        var command = new Command("simulate", "Serve simulated packs (or replay a capture) on a pseudo-terminal until Ctrl+C") { link, packs, master, playMaster, faultRate, turnaround, refuse, replay, replaceByte, history, clockDrift };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(replay) is { } capture)
            {
                return await ReplayAction.RunAsync(context, capture, parse.GetValue(link)!, parse.GetValue(replaceByte), cancellationToken).ConfigureAwait(false);
            }
            if (!AddressList.TryParse(parse.GetValue(packs), out var addresses, out var error))
            {
                throw new CliException($"--packs: {error}");
            }
            var rate = parse.GetValue(faultRate);
            if (rate is < 0 or > 1)
            {
                throw new CliException($"--fault-rate: {rate.ToString(CultureInfo.InvariantCulture)} is not a share between 0 and 1");
            }
            var refused = new List<RefusedRead>();
            foreach (var text in parse.GetValue(refuse) ?? [])
            {
                refused.Add(RefusedRead.TryParse(text, out var read, out var refuseError) ? read : throw new CliException($"--refuse: {refuseError}"));
            }
            var options = new SimulatorOptions
            {
                RefusedReads = refused,
                Addresses = addresses,
                Master = parse.GetValue(master) || parse.GetValue(playMaster),
                PlayMaster = parse.GetValue(playMaster),
                FaultRate = rate,
                Turnaround = TimeSpan.FromMilliseconds(Math.Max(0, parse.GetValue(turnaround))),
                HistoryRecords = parse.GetValue(history) is >= 0 and <= 100_000 and var records ? records : throw new CliException("--history: give 0 to 100000 records"),
                ClockDrift = parse.GetValue(clockDrift) is var drift && double.IsFinite(drift) && Math.Abs(drift) <= 10 * 365 * 86400.0
                    ? TimeSpan.FromSeconds(drift) : throw new CliException("--clock-drift: give seconds, at most ten years either way"),
            };
            if (options.PlayMaster && !addresses.Contains((byte)0))
            {
                throw new CliException("--play-master: pack 0 is the master; include it in --packs");
            }
            var path = Path.GetFullPath(parse.GetValue(link)!, context.Directory);
            var host = new PtySimulatorHost();
            host.Linked += (_, pts) => context.Error.WriteLine($"linked {path} → {pts}");
            host.Unplugged += (_, _) => context.Error.WriteLine("unplugged (simulated disconnect)");
            var serving = host.RunAsync(path, options, cancellationToken);
            try
            {
                await host.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new CliException($"cannot create {path}: {ex.Message}");
            }
            var refusing = refused.Count == 0 ? "" : $", refusing {string.Join(", ", refused)}";
            await context.Output.WriteLineAsync($"simulating pack(s) {AddressList.Format(addresses)}{(options.PlayMaster ? " (0 is master and polls the others)" : options.Master ? " (0 is master)" : "")}{refusing} on {path}; Ctrl+C to stop").ConfigureAwait(false);
            await context.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
            await serving.ConfigureAwait(false);
            return SeplosCli.Ok;
        });
        return command;
    }
}
