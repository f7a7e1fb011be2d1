using System.CommandLine;
using System.Globalization;
using SeplosConsole.Config;
using SeplosConsole.Seplos;
using SeplosConsole.Services.Recording;
using SeplosConsole.Simulation;

namespace SeplosConsole.Cli;

/// <summary>
/// <c>seplos record-simulation FILE --hours 24</c>: a recording of simulated packs made on the
/// simulator's own clock, as fast as the machine goes (a day in well under a minute), without a
/// bus: PIA/PIB/PIC of each pack every interval, SPA/VIA/PCT at the start, as the poller reads them.
/// Demo data, and the fast-clock input for measuring the dashboard after a day of history
/// (`seplos --replay FILE --speed 1000000`).
/// </summary>
public static class RecordSimulationCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "The recording to write (replaced if it exists)" };
        var hours = new Option<double>("--hours") { Description = "Simulated time to record", DefaultValueFactory = _ => 24 };
        var packs = new Option<string>("--packs") { Description = "Pack addresses: 0, 0,1,2 or 0-15", DefaultValueFactory = _ => "0" };
        var interval = new Option<int>("--interval-ms") { Description = "Time between two polls of a pack", DefaultValueFactory = _ => 1000 };
        var current = new Option<double?>("--current") { Description = "Hold this current (A, + charging) instead of the charge/discharge cycle" };
        var command = new Command("record-simulation", "Write a recording of simulated packs on a fast clock (demo data, measurements)") { file, hours, packs, interval, current };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!AddressList.TryParse(parse.GetValue(packs), out var addresses, out var error))
            {
                throw new CliException($"--packs: {error}");
            }
            var span = parse.GetValue(hours);
            var step = parse.GetValue(interval);
            if (span is <= 0 or > 24 * 31 || double.IsNaN(span))
            {
                throw new CliException($"--hours {span.ToString(CultureInfo.InvariantCulture)}: expected more than 0 and at most 744 (a month)");
            }
            if (step is < 100 or > 3_600_000)
            {
                throw new CliException($"--interval-ms {step}: expected 100 to 3600000");
            }
            var path = Path.GetFullPath(parse.GetValue(file)!, context.Directory);
            var clock = new SteppedClock(DateTimeOffset.UtcNow.AddHours(-span));
            var simulator = new BmsSimulator(new SimulatorOptions { Addresses = addresses, ConstantCurrent = parse.GetValue(current) }, clock);
            var polls = (long)(span * 3_600_000 / step);
            var first = true;
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot write {path}: {ex.Message}");
            }
            var writer = new RecordingWriter(stream);
            await using (writer.ConfigureAwait(false))
            {
                for (var poll = 0L; poll < polls; poll++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    foreach (var address in addresses)
                    {
                        var pack = simulator.Pack(address);
                        pack.Update();
                        var at = clock.GetUtcNow();
                        IEnumerable<BlockId> blocks = first ? [.. SeplosMap.LiveBlocks, .. SeplosMap.SlowBlocks] : SeplosMap.LiveBlocks;
                        // The blocks of one poll a few milliseconds apart, as on the wire.
                        writer.Write(address, [.. blocks.Select((b, i) => new BlockReading(b, pack.Image(b), at.AddMilliseconds(30 * i)))]);
                    }
                    first = false;
                    clock.Advance(TimeSpan.FromMilliseconds(step));
                }
                await context.Output.WriteLineAsync($"wrote {polls} polls of pack(s) {AddressList.Format(addresses)} ({span.ToString(CultureInfo.InvariantCulture)} h) to {path}: "
                    + $"{writer.BytesWritten} bytes, {(double)writer.BytesWritten / polls / addresses.Count:0.0} bytes per poll of a pack").ConfigureAwait(false);
            }
            return SeplosCli.Ok;
        });
        return command;
    }

    /// <summary>A clock that moves only when told to: the simulator's "now".</summary>
    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan span) => _now += span;
    }
}
