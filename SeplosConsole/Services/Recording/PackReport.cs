using SeplosConsole.Seplos;

namespace SeplosConsole.Services.Recording;

/// <summary>The lowest and highest value a reading took, and when.</summary>
public sealed record Extreme(FieldDefinition Field, double Min, DateTimeOffset MinAt, double Max, DateTimeOffset MaxAt);

/// <summary>A problem flag (alarm, protection, fault) that was on from <see cref="Start"/> to <see cref="End"/> (null: still on at the end).</summary>
public sealed record AlarmSpan(FlagDefinition Flag, DateTimeOffset Start, DateTimeOffset? End);

/// <summary>What one pack did over a recording (see <see cref="PackReportBuilder"/>).</summary>
public sealed record PackReport(
    byte Address,
    DateTimeOffset From,
    DateTimeOffset To,
    long Updates,
    int Gaps,
    TimeSpan GapTime,
    double ChargedAh,
    double DischargedAh,
    double ChargedKwh,
    double DischargedKwh,
    IReadOnlyList<Extreme> Extremes,
    IReadOnlyList<(FlagDefinition Flag, TimeSpan Time)> Balancing,
    IReadOnlyList<AlarmSpan> Alarms)
{
    /// <summary>The largest cell spread (cell_delta) and when, if the cells were read.</summary>
    public Extreme? LargestSpread => Extremes.FirstOrDefault(e => e.Field.Key == "cell_delta");
}

/// <summary>
/// Builds a <see cref="PackReport"/> from a pack's snapshots in time order. Charge and energy are
/// integrated over PIA readings, each current (and voltage × current) held until the next reading:
/// a step in the current counts from the reading that first shows it. A gap longer than
/// <see cref="MaxGap"/> (the program stopped, the pack was offline) is not integrated over, and is
/// counted. Balancing time is summed the same way over PIC readings. Not thread-safe.
/// </summary>
public sealed class PackReportBuilder(byte address)
{
    /// <summary>Longer than any poll interval a user would record at (the default is 1 s).</summary>
    public static readonly TimeSpan MaxGap = TimeSpan.FromMinutes(5);

    // Which readings get a min/max: the map's live measurements of these kinds.
    private static readonly FieldDefinition[] Tracked = [.. SeplosMap.Fields.Where(f =>
        f.Category == FieldCategory.Reading && f.IsNumeric
        && f.Quantity is Quantity.Voltage or Quantity.Current or Quantity.Power or Quantity.Temperature or Quantity.Percent)];

    private static readonly FlagDefinition[] BalancingFlags = [.. SeplosMap.Flags.Where(f => f.Kind == FlagKind.Balancing)];
    private static readonly FlagDefinition[] ProblemFlags = [.. SeplosMap.Flags.Where(f => f.IsProblem)];

    private readonly Dictionary<string, Extreme> _extremes = [];
    private readonly Dictionary<string, TimeSpan> _balancing = [];
    private readonly Dictionary<string, DateTimeOffset> _openAlarms = [];
    private readonly List<AlarmSpan> _alarms = [];
    private DateTimeOffset? _from;
    private DateTimeOffset _to;
    private long _updates;
    private int _gaps;
    private TimeSpan _gapTime;
    private (DateTimeOffset At, double Volts, double Amps)? _lastPia;
    private (DateTimeOffset At, PackSnapshot Snapshot)? _lastPic;
    private double _chargedAh, _dischargedAh, _chargedWh, _dischargedWh;

    /// <summary>Adds the pack's snapshot after an update that read <paramref name="blocks"/>.</summary>
    public void Add(PackSnapshot snapshot, IReadOnlyList<BlockReading> blocks)
    {
        var at = blocks[0].ReadAt;
        _from ??= at;
        _to = at > _to ? at : _to;
        _updates++;
        foreach (var block in blocks)
        {
            switch (block.Block)
            {
                case BlockId.Pia:
                    AddPia(snapshot, block.ReadAt);
                    break;
                case BlockId.Pic:
                    AddPic(snapshot, block.ReadAt);
                    break;
            }
        }
        if (blocks.Any(b => b.Block is BlockId.Pia or BlockId.Pib))
        {
            foreach (var field in Tracked)
            {
                if (snapshot.Value(field.Key) is not { } value || field.Block is not (BlockId.Pia or BlockId.Pib))
                {
                    continue;
                }
                // An absent cell reads 0 V: not a minimum worth reporting.
                if (field.Quantity == Quantity.Voltage && field.Key.StartsWith("cell_", StringComparison.Ordinal) && field.Key != "cell_delta" && value <= 0)
                {
                    continue;
                }
                _extremes[field.Key] = _extremes.TryGetValue(field.Key, out var e)
                    ? e with
                    {
                        Min = value < e.Min ? value : e.Min,
                        MinAt = value < e.Min ? at : e.MinAt,
                        Max = value > e.Max ? value : e.Max,
                        MaxAt = value > e.Max ? at : e.MaxAt,
                    }
                    : new Extreme(field, value, at, value, at);
            }
        }
    }

    private bool Held(DateTimeOffset from, DateTimeOffset to, out TimeSpan span)
    {
        span = to - from;
        if (span <= TimeSpan.Zero)
        {
            return false;
        }
        if (span > MaxGap)
        {
            _gaps++;
            _gapTime += span;
            return false;
        }
        return true;
    }

    private void AddPia(PackSnapshot snapshot, DateTimeOffset at)
    {
        if (snapshot.Value("pack_voltage") is not { } volts || snapshot.Value("current") is not { } amps)
        {
            return;
        }
        if (_lastPia is { } last && Held(last.At, at, out var span))
        {
            var hours = span.TotalHours;
            if (last.Amps > 0)
            {
                _chargedAh += last.Amps * hours;
                _chargedWh += last.Volts * last.Amps * hours;
            }
            else
            {
                _dischargedAh += -last.Amps * hours;
                _dischargedWh += -last.Volts * last.Amps * hours;
            }
        }
        _lastPia = (at, volts, amps);
    }

    private void AddPic(PackSnapshot snapshot, DateTimeOffset at)
    {
        // The gap check is PIA's job (counted once); PIC only sums balancing time within readings.
        if (_lastPic is { } last && at - last.At is var span && span > TimeSpan.Zero && span <= MaxGap)
        {
            foreach (var flag in BalancingFlags)
            {
                if (last.Snapshot.Flag(flag.Key) == true)
                {
                    _balancing[flag.Key] = _balancing.GetValueOrDefault(flag.Key) + span;
                }
            }
        }
        foreach (var flag in ProblemFlags)
        {
            var on = snapshot.Flag(flag.Key) == true;
            if (on && !_openAlarms.ContainsKey(flag.Key))
            {
                _openAlarms[flag.Key] = at;
            }
            else if (!on && _openAlarms.Remove(flag.Key, out var start))
            {
                _alarms.Add(new AlarmSpan(flag, start, at));
            }
        }
        _lastPic = (at, snapshot);
    }

    public PackReport Build()
    {
        var alarms = _alarms
            .Concat(_openAlarms.Select(open => new AlarmSpan(ProblemFlags.First(f => f.Key == open.Key), open.Value, null)))
            .OrderBy(a => a.Start).ThenBy(a => a.Flag.Key, StringComparer.Ordinal)
            .ToList();
        return new PackReport(
            address, _from ?? default, _to, _updates, _gaps, _gapTime,
            _chargedAh, _dischargedAh, _chargedWh / 1000, _dischargedWh / 1000,
            // A temperature that read exactly 0.0 all along is a sensor the pack does not have (it reads 0).
            [.. Tracked.Where(f => _extremes.TryGetValue(f.Key, out var e) && !(f.Quantity == Quantity.Temperature && e.Min == 0 && e.Max == 0))
                .Select(f => _extremes[f.Key])],
            [.. BalancingFlags.Select(f => (f, _balancing.GetValueOrDefault(f.Key)))],
            alarms);
    }
}
