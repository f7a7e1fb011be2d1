using System.Collections.Immutable;

namespace SeplosConsole.Seplos;

/// <summary>
/// One record of the pack's own history (HIA, register reference; layout unconfirmed), decoded
/// through <see cref="SeplosMap.HistoryFields"/>. Immutable. Values are in engineering units at the
/// register's resolution; <see cref="Events"/> are the live PIC flags with the same bits.
/// </summary>
public sealed record HistoryRecord
{
    public required long RecordsRemaining { get; init; }
    /// <summary>The record's date as the pack's clock had it (no time zone); null when the bytes are no date.</summary>
    public required DateTime? Date { get; init; }
    /// <summary>The ten event bytes, in the order of <see cref="SeplosMap.HistoryEventBytes"/> (TB09, TB02 … TB15).</summary>
    public required ImmutableArray<byte> EventBytes { get; init; }
    public required double PackVoltage { get; init; }
    public required double Current { get; init; }
    public required double RemainingCapacity { get; init; }
    public required ImmutableArray<double> Cells { get; init; }
    public required ImmutableArray<double> CellTemperatures { get; init; }
    public required double EnvironmentTemperature { get; init; }
    public required double PowerTemperature { get; init; }

    /// <summary>The flags set in the event bytes, in map order; the same definitions the live alarms use.</summary>
    public ImmutableArray<FlagDefinition> Events
    {
        get
        {
            var events = ImmutableArray.CreateBuilder<FlagDefinition>();
            foreach (var eventByte in SeplosMap.HistoryEventBytes)
            {
                var value = EventBytes[eventByte.Index];
                events.AddRange(eventByte.Flags.Where(f => (value & (1 << f.BitInByte)) != 0));
            }
            return events.ToImmutable();
        }
    }

    /// <summary>Alarms, protections and faults among the events (the ones shown in red or yellow).</summary>
    public IEnumerable<FlagDefinition> Problems => Events.Where(f => f.IsProblem);

    /// <summary>Lowest and highest cell above 0 V (an absent cell reads 0), or null when none is.</summary>
    public (double Min, double Max)? CellRange
    {
        get
        {
            var present = Cells.Where(c => c > 0).ToList();
            return present.Count == 0 ? null : (present.Min(), present.Max());
        }
    }

    public string DateText => Date is { } date ? Tb13Date.Format(date) : "invalid date";

    /// <summary>A measured value by its key in <see cref="SeplosMap.HistoryFields"/>; null for keys that are no measurement.</summary>
    public double? Value(string key) => key switch
    {
        "pack_voltage" => PackVoltage,
        "current" => Current,
        "remaining_capacity" => RemainingCapacity,
        "environment_temp" => EnvironmentTemperature,
        "power_temp" => PowerTemperature,
        _ when key.StartsWith("cell_temp_", StringComparison.Ordinal) && int.TryParse(key.AsSpan(10), out var sensor) && sensor is >= 1 and <= 4 => CellTemperatures[sensor - 1],
        _ when key.StartsWith("cell_", StringComparison.Ordinal) && int.TryParse(key.AsSpan(5), out var cell) && cell is >= 1 and <= 16 => Cells[cell - 1],
        _ => null,
    };

    /// <summary>The measurements of a record, in map order: what a table or file shows per record.</summary>
    public static IReadOnlyList<FieldDefinition> MeasurementFields { get; } =
        [.. SeplosMap.HistoryFields.Where(f => f.IsNumeric && f.Quantity is not (Quantity.None or Quantity.Count) && f.Category != FieldCategory.Diagnostic)];

    /// <summary>Equal values, element by element (a record's arrays compare by reference otherwise).</summary>
    public bool SameAs(HistoryRecord other)
        => RecordsRemaining == other.RecordsRemaining && Date == other.Date && EventBytes.SequenceEqual(other.EventBytes)
           && PackVoltage.Equals(other.PackVoltage) && Current.Equals(other.Current) && RemainingCapacity.Equals(other.RemainingCapacity)
           && Cells.SequenceEqual(other.Cells) && CellTemperatures.SequenceEqual(other.CellTemperatures)
           && EnvironmentTemperature.Equals(other.EnvironmentTemperature) && PowerTemperature.Equals(other.PowerTemperature);
}

/// <summary>Turns a history record's 80-byte payload into a <see cref="HistoryRecord"/> and back, by the map.</summary>
public static class HistoryRecordCodec
{
    /// <summary>Bytes of one record: HIA's 0x28 registers.</summary>
    public static int PayloadLength => SeplosMap.Block(BlockId.Hia).PayloadLength;

    public static HistoryRecord Decode(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != PayloadLength)
        {
            throw new ArgumentException($"a history record has {PayloadLength} bytes, not {payload.Length}", nameof(payload));
        }
        var bytes = payload.ToArray();
        double Value(string key) => SeplosCodec.DecodeField(SeplosMap.HistoryField(key), bytes).Value ?? 0;
        var date = SeplosMap.HistoryField("record_date");
        return new HistoryRecord
        {
            RecordsRemaining = SeplosCodec.DecodeField(SeplosMap.HistoryField("records_remaining"), bytes).Raw,
            Date = Tb13Date.Decode(bytes.AsSpan(date.Offset * 2, Tb13Date.Length)),
            EventBytes = [.. SeplosMap.HistoryEventBytes.Select(b => bytes[(b.RegisterOffset * 2) + (b.HighByte ? 0 : 1)])],
            PackVoltage = Value("pack_voltage"),
            Current = Value("current"),
            RemainingCapacity = Value("remaining_capacity"),
            Cells = [.. Enumerable.Range(1, 16).Select(i => Value($"cell_{i}"))],
            CellTemperatures = [.. Enumerable.Range(1, 4).Select(i => Value($"cell_temp_{i}"))],
            EnvironmentTemperature = Value("environment_temp"),
            PowerTemperature = Value("power_temp"),
        };
    }

    /// <summary>The payload a pack would send for <paramref name="record"/> (the simulator's side); reserved registers are 0.</summary>
    public static byte[] Encode(HistoryRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var payload = new byte[PayloadLength];
        void Put(string key, double value) => SeplosCodec.EncodeValue(SeplosMap.HistoryField(key), value, payload);
        SeplosCodec.EncodeRaw(SeplosMap.HistoryField("records_remaining"), record.RecordsRemaining, payload);
        if (record.Date is { } date)
        {
            Tb13Date.Encode(date, payload.AsSpan(SeplosMap.HistoryField("record_date").Offset * 2, Tb13Date.Length));
        }
        foreach (var eventByte in SeplosMap.HistoryEventBytes)
        {
            payload[(eventByte.RegisterOffset * 2) + (eventByte.HighByte ? 0 : 1)] = record.EventBytes[eventByte.Index];
        }
        Put("pack_voltage", record.PackVoltage);
        Put("current", record.Current);
        Put("remaining_capacity", record.RemainingCapacity);
        for (var i = 0; i < 16; i++)
        {
            Put($"cell_{i + 1}", record.Cells[i]);
        }
        for (var i = 0; i < 4; i++)
        {
            Put($"cell_temp_{i + 1}", record.CellTemperatures[i]);
        }
        Put("environment_temp", record.EnvironmentTemperature);
        Put("power_temp", record.PowerTemperature);
        return payload;
    }

    /// <summary>The event bytes with the bits of these flags set (they must be PIC state-table flags).</summary>
    public static ImmutableArray<byte> EventBytesOf(IEnumerable<FlagDefinition> flags)
    {
        var bytes = new byte[SeplosMap.HistoryEventBytes.Length];
        foreach (var flag in flags)
        {
            var eventByte = SeplosMap.HistoryEventBytes.FirstOrDefault(b => b.PicByte == flag.ByteIndex && flag.Block == BlockId.Pic)
                ?? throw new ArgumentException($"{flag.Key} is not an event a history record can hold", nameof(flags));
            bytes[eventByte.Index] |= (byte)(1 << flag.BitInByte);
        }
        return [.. bytes];
    }
}
