using SeplosConsole.Transport;

namespace SeplosConsole.Simulation;

/// <summary>
/// How a simulated bus behaves: which pack addresses answer, the line speed used for pacing,
/// the seed of every random choice, and the random fault mode used for benchmarks.
/// </summary>
public sealed record SimulatorOptions
{
    /// <summary>Pack addresses that answer (DIP switch values 0x00–0x0F on real packs).</summary>
    public IReadOnlyList<byte> Addresses { get; init; } = [0];

    /// <summary>The pack at address 0 is the master of a parallel system and answers EIA/EIB/EIC.</summary>
    public bool Master { get; init; }

    /// <summary>
    /// Also play the bus master of a parallel system (needs address 0): pack 0 polls the other
    /// packs with PIA/PIB/PIC, one pack every <see cref="MasterPollInterval"/>, and after each
    /// round sends its own PIA/PIB/PIC replies with no request before them, as users' traces show
    /// (register reference, "Link"). For testing <c>--listen</c>; only the pty host plays it.
    /// </summary>
    public bool PlayMaster { get; init; }

    /// <summary>Time between the starts of two of the master's polls when <see cref="PlayMaster"/> is on.</summary>
    public TimeSpan MasterPollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Line speed for the wire time of a reply; the Seplos V3 uses 19200 8N1 (register reference, "Link").</summary>
    public int BaudRate { get; init; } = 19200;

    /// <summary>Time a pack takes to start answering after the end of a request.</summary>
    public TimeSpan Turnaround { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Seed for the packs' cell spread, noise and the random fault mode.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>One charge → rest → discharge → rest cycle of the simulated load.</summary>
    public TimeSpan CyclePeriod { get; init; } = TimeSpan.FromMinutes(40);

    /// <summary>
    /// A current held for ever instead of the cycle (A, + charging, − discharging), the same for
    /// every pack: a known input for checking what is computed from the current (the report's
    /// energy integral).
    /// </summary>
    public double? ConstantCurrent { get; init; }

    /// <summary>Share of replies that get a random fault (0 = none, 0.05 = 5 %).</summary>
    public double FaultRate { get; init; }

    /// <summary>Faults the random mode picks from; null = every kind except a disconnect.</summary>
    public IReadOnlyList<SimulatedFault>? RandomFaultKinds { get; init; }

    /// <summary>History records each pack serves (newest first, spread over months).</summary>
    public int HistoryRecords { get; init; } = 300;

    /// <summary>
    /// How far each pack's clock is off the host's local time at start (positive: ahead). A real
    /// pack was seen 8 h ahead of its host (register reference, SCA); `clock --set` corrects it.
    /// </summary>
    public TimeSpan ClockDrift { get; init; } = TimeSpan.FromHours(8);

    /// <summary>Blocks (or read sizes) every simulated pack refuses with exception 02.</summary>
    public IReadOnlyList<RefusedRead> RefusedReads { get; init; } = [];

    /// <summary>How long the pty host stays "unplugged" after a disconnect fault before it re-creates the port.</summary>
    public TimeSpan ReplugDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The simulated line: the Seplos V3's 8N1 at <see cref="BaudRate"/> (register reference, "Link").</summary>
    public SerialLineSettings Line => SerialLineSettings.SeplosDefault with { BaudRate = BaudRate };

    /// <summary>Wire time of <paramref name="bytes"/> bytes on <see cref="Line"/>.</summary>
    public TimeSpan WireTime(int bytes) => Line.WireTime(bytes);

    internal void Validate()
    {
        if (Addresses.Count == 0)
        {
            throw new ArgumentException("the simulator needs at least one pack address", nameof(Addresses));
        }
        if (Addresses.Distinct().Count() != Addresses.Count)
        {
            throw new ArgumentException("pack addresses must be different", nameof(Addresses));
        }
        if (Addresses.Any(a => a > 247))
        {
            throw new ArgumentException("Modbus addresses go up to 247", nameof(Addresses));
        }
        if (PlayMaster && !Addresses.Contains((byte)0))
        {
            throw new ArgumentException("playing the master needs pack 0, the master of a parallel system", nameof(PlayMaster));
        }
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MasterPollInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BaudRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(Turnaround, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(CyclePeriod, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(HistoryRecords);
        if (ClockDrift.Duration() > TimeSpan.FromDays(3650))
        {
            throw new ArgumentOutOfRangeException(nameof(ClockDrift), ClockDrift, "a clock drift of more than ten years is no clock");
        }
        if (FaultRate is < 0 or > 1 || double.IsNaN(FaultRate))
        {
            throw new ArgumentOutOfRangeException(nameof(FaultRate), FaultRate, "fault rate is a share between 0 and 1");
        }
    }
}
