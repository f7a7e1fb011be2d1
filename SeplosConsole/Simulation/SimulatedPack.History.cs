using System.Collections.Immutable;
using SeplosConsole.Seplos;

namespace SeplosConsole.Simulation;

/// <summary>
/// The simulated pack's memory: a history of records reaching back months (newest first, with
/// the events a real pack logs: a cell over-voltage at the end of a charge, a charge blocked by
/// cold in winter, a low cell at the end of a discharge …) and a running clock that is off by
/// <see cref="SimulatorOptions.ClockDrift"/> until <c>clock --set</c> writes it.
/// </summary>
public sealed partial class SimulatedPack
{
    // A real pack logs on events and on a timer. 300 records 20 h apart on average reach back about
    // eight months, so whatever today's date, the history holds part of a cold season (November–March).
    private static readonly TimeSpan MeanRecordSpacing = TimeSpan.FromHours(20);

    private ImmutableArray<HistoryRecord> _history = [];
    private TimeSpan _clockOffset;
    private int _historyCursor = -1;

    /// <summary>The records this pack serves, newest first.</summary>
    public ImmutableArray<HistoryRecord> History
    {
        get
        {
            lock (_gate)
            {
                return _history;
            }
        }
    }

    /// <summary>The pack's clock now: the host's local wall clock plus the drift (or what was last written).</summary>
    public DateTime ClockNow
    {
        get
        {
            lock (_gate)
            {
                return LocalNow() + _clockOffset;
            }
        }
    }

    private DateTime LocalNow() => TimeZoneInfo.ConvertTime(_time.GetUtcNow(), TimeZoneInfo.Local).DateTime;

    private void StartMemory(SimulatorOptions options)
    {
        _clockOffset = options.ClockDrift;
        // Its own random source: the live model's sequence stays what it was before history existed.
        var random = new Random(unchecked((options.Seed * 7919) + Address));
        _history = BuildHistory(options.HistoryRecords, LocalNow() + _clockOffset, random);
    }

    /// <summary>
    /// Answers the history read (register reference, HIA): the first record for 0x55AA, the next
    /// for 0xAA55, exception 0x81 past the end; false for any other command (exception 0x03).
    /// </summary>
    internal bool TryReadHistory(ushort command, out byte[]? payload)
    {
        payload = null;
        lock (_gate)
        {
            if (command == SeplosMap.HistoryFirstCommand)
            {
                _historyCursor = 0;
            }
            else if (command == SeplosMap.HistoryNextCommand)
            {
                // "Next" before any "first" starts at the newest record too.
                _historyCursor = _historyCursor < 0 ? 0 : _historyCursor + 1;
            }
            else
            {
                return false;
            }
            if (_historyCursor < _history.Length)
            {
                payload = HistoryRecordCodec.Encode(_history[_historyCursor]);
            }
            return true;
        }
    }

    /// <summary>Writes the clock image (SCA 0x1500–0x1503) from the running clock; the caller holds the lock.</summary>
    private void RenderClock()
        => Tb13Date.Encode(LocalNow() + _clockOffset, _images[BlockId.Sca], reserved: 0x34); // 0x34 as in the real read (reference, SCA)

    /// <summary>Takes a write of the date registers; false for anything else of SCA (not simulated, not in the map).</summary>
    private bool TryWriteClock(ushort start, ReadOnlySpan<ushort> values)
    {
        var date = SeplosMap.SystemDate;
        if (start != date.Address || values.Length != date.Registers)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[Tb13Date.Length];
        for (var i = 0; i < values.Length; i++)
        {
            bytes[2 * i] = (byte)(values[i] >> 8);
            bytes[(2 * i) + 1] = (byte)values[i];
        }
        if (Tb13Date.Decode(bytes) is not { } written)
        {
            return false;
        }
        lock (_gate)
        {
            _clockOffset = written - LocalNow();
            RenderClock();
        }
        return true;
    }

    /// <summary>Plausible records, newest first, going back from <paramref name="newest"/>.</summary>
    private static ImmutableArray<HistoryRecord> BuildHistory(int count, DateTime newest, Random random)
    {
        var records = ImmutableArray.CreateBuilder<HistoryRecord>(count);
        var at = newest.AddMinutes(-random.Next(5, 90));
        var cellOffsets = Enumerable.Range(0, 16).Select(_ => (random.NextDouble() - 0.5) * 0.008).ToArray();
        var highCell = random.Next(16);
        for (var i = 0; i < count; i++)
        {
            // Through the codec once, so History holds exactly what the wire carries (register resolution, no −0.0).
            records.Add(HistoryRecordCodec.Decode(HistoryRecordCodec.Encode(HistoryScenario(at, count - i - 1, cellOffsets, highCell, random))));
            at -= MeanRecordSpacing * (0.3 + (random.NextDouble() * 1.4));
        }
        return records.MoveToImmutable();
    }

    private static HistoryRecord HistoryScenario(DateTime at, long remaining, double[] cellOffsets, int highCell, Random random)
    {
        var winter = at.Month is 11 or 12 or 1 or 2 or 3;
        // Cold garages in winter: cell temperatures around freezing, else a room.
        var ambient = winter ? -4 + (random.NextDouble() * 8) : 14 + (random.NextDouble() * 12);
        var roll = random.NextDouble();
        var flags = new List<string>();
        double current, soc, highCellExtra = 0, lowCellExtra = 0;
        if (winter && roll < 0.25 && ambient < 1)
        {
            // The charger wants to charge, the BMS refuses below the charge under-temperature limit.
            current = 0;
            soc = 30 + (random.NextDouble() * 30);
            flags.AddRange(["standby", "charge_low_temperature_alarm_active", "charge_under_temperature_protection_active", "discharge_fet_on"]);
        }
        else if (roll < 0.12)
        {
            // End of a charge: the high cell runs away above the over-voltage protection.
            current = 20 + (random.NextDouble() * 5);
            soc = 98 + (random.NextDouble() * 2);
            highCellExtra = 0.25 + (random.NextDouble() * 0.06);
            flags.AddRange(["charging", "cell_high_voltage_alarm_active", "cell_over_voltage_protection_active", "discharge_fet_on"]);
        }
        else if (roll < 0.2)
        {
            // End of a discharge: the weakest cell sags below its alarm.
            current = -(20 + (random.NextDouble() * 8));
            soc = 4 + (random.NextDouble() * 4);
            lowCellExtra = -(0.25 + (random.NextDouble() * 0.1));
            flags.AddRange(["discharging", "cell_low_voltage_alarm_active", "soc_low_alarm_active", "charge_fet_on", "discharge_fet_on"]);
        }
        else if (roll < 0.24)
        {
            current = 0;
            soc = 40 + (random.NextDouble() * 40);
            flags.AddRange(["standby", "cell_difference_alarm_active", "charge_fet_on", "discharge_fet_on"]);
            highCellExtra = 0.32;
        }
        else if (roll < 0.6)
        {
            current = 10 + (random.NextDouble() * 15);
            soc = 20 + (random.NextDouble() * 70);
            flags.AddRange(["charging", "charge_fet_on", "discharge_fet_on"]);
        }
        else if (roll < 0.9)
        {
            current = -(5 + (random.NextDouble() * 20));
            soc = 15 + (random.NextDouble() * 80);
            flags.AddRange(["discharging", "charge_fet_on", "discharge_fet_on"]);
        }
        else
        {
            current = 0;
            soc = 30 + (random.NextDouble() * 60);
            flags.AddRange(["standby", "charge_fet_on", "discharge_fet_on"]);
        }
        flags.Add("history_recording");

        var ocv = OpenCircuitVoltage(soc);
        var cells = new double[16];
        for (var cell = 0; cell < 16; cell++)
        {
            var extra = cell == highCell ? highCellExtra : 0;
            cells[cell] = Math.Round(ocv + (current * CellResistanceOhms) + cellOffsets[cell] + extra, 3);
        }
        if (lowCellExtra != 0)
        {
            var low = (highCell + 5) % 16;
            cells[low] = Math.Round(cells[low] + lowCellExtra, 3);
        }
        var capacity = RatedCapacityAh * soc / 100;
        return new HistoryRecord
        {
            RecordsRemaining = remaining,
            Date = at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond)),
            EventBytes = HistoryRecordCodec.EventBytesOf(flags.Select(k => SeplosMap.FindFlag(k)!)),
            PackVoltage = Math.Round(cells.Sum(), 2),
            Current = Math.Round(current, 2),
            RemainingCapacity = Math.Round(capacity, 2),
            Cells = [.. cells],
            CellTemperatures = [.. Enumerable.Range(0, 4).Select(i => Math.Round(ambient + (0.04 * Math.Abs(current)) + (i * 0.3), 1))],
            EnvironmentTemperature = Math.Round(ambient, 1),
            PowerTemperature = Math.Round(ambient + (0.15 * Math.Abs(current)), 1),
        };
    }
}
