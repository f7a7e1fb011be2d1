namespace SeplosConsole.Seplos;

public enum RegisterType
{
    U16,
    I16,
    /// <summary>Two registers, low word first (EIA, seen in C1 and the sp05b capture).</summary>
    U32LowWordFirst,
    I32LowWordFirst,
    /// <summary>NUL-padded ASCII over <see cref="FieldDefinition.Registers"/> registers.</summary>
    Ascii,
    /// <summary>Not a register: computed from other fields (power, cell delta).</summary>
    Derived,
    /// <summary>A date over 4 registers, table TB13 (SCA system date, HIA record date); decoded to text.</summary>
    Tb13Date,
}

/// <summary>What a field is for; front ends group and filter by it.</summary>
public enum FieldCategory
{
    /// <summary>A live measurement of the pack (PIA, PIB).</summary>
    Reading,
    /// <summary>A setting in SPA.</summary>
    Parameter,
    /// <summary>Who the pack is (VIA).</summary>
    Identity,
    /// <summary>Inverter protocol settings (PCT).</summary>
    Inverter,
    /// <summary>Totals of a parallel system, from the master pack (EIA).</summary>
    System,
    /// <summary>Raw or unconfirmed values shown for diagnosis only.</summary>
    Diagnostic,
}

/// <summary>The physical kind of a value; MQTT discovery and the dashboard use it.</summary>
public enum Quantity
{
    None,
    Voltage,
    Current,
    Power,
    Temperature,
    Percent,
    Charge,
    Duration,
    Count,
    Resistance,
    Text,
}

/// <summary>
/// One value of the Seplos V3 map. Engineering value = (raw + <see cref="RawOffset"/>) × <see cref="Scale"/>;
/// e.g. temperatures are stored in 0.1 K with 0 °C at 2731 (register reference, PIA notes).
/// </summary>
public sealed record FieldDefinition
{
    public required string Key { get; init; }
    public required string Name { get; init; }
    public required BlockId Block { get; init; }
    /// <summary>Register offset from the block start.</summary>
    public required int Offset { get; init; }
    public RegisterType Type { get; init; } = RegisterType.U16;
    /// <summary>Registers the field spans (ASCII strings, 32-bit values).</summary>
    public int Registers { get; init; } = 1;
    public double Scale { get; init; } = 1;
    public int RawOffset { get; init; }
    public string Unit { get; init; } = "";
    public Quantity Quantity { get; init; }
    public FieldCategory Category { get; init; } = FieldCategory.Reading;
    /// <summary>Decimals that the register's resolution supports.</summary>
    public int Decimals { get; init; }
    /// <summary>May a user change it? Only reviewed, certain SPA parameters are writable.</summary>
    public bool Writable { get; init; }
    /// <summary>Safe range a write must stay in (engineering units).</summary>
    public double? Min { get; init; }
    public double? Max { get; init; }
    /// <summary>Sources disagree or a single unconfirmed source: show with a warning, never write.</summary>
    public bool Uncertain { get; init; }
    public string? Note { get; init; }
    /// <summary>Other names accepted on input: the original tool's spellings, shorter forms.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
    /// <summary>Register address on the bus (block start + offset).</summary>
    public ushort Address { get; init; }
    /// <summary>
    /// For an optional sensor: the count field that says how many are fitted. Null for a value
    /// every pack has. A sensor that is not fitted is absent from a snapshot, never a reading of 0.
    /// </summary>
    public SensorPresence? FittedWhen { get; init; }

    public bool IsNumeric => Type is not (RegisterType.Ascii or RegisterType.Tb13Date);
    public bool IsSigned => Type is RegisterType.I16 or RegisterType.I32LowWordFirst;

    /// <summary>Engineering value of a raw register value.</summary>
    public double ToValue(long raw) => Math.Round((raw + RawOffset) * Scale, Decimals);

    /// <summary>
    /// The raw register value closest to <paramref name="value"/> at this field's resolution, or
    /// null when it does not fit the register.
    /// </summary>
    public long? ToRaw(double value)
    {
        if (!double.IsFinite(value))
        {
            return null;
        }
        var raw = (long)Math.Round(value / Scale, MidpointRounding.AwayFromZero) - RawOffset;
        var (min, max) = Type switch
        {
            RegisterType.I16 => (short.MinValue, (long)short.MaxValue),
            RegisterType.U16 => (0L, ushort.MaxValue),
            RegisterType.U32LowWordFirst => (0L, uint.MaxValue),
            RegisterType.I32LowWordFirst => (int.MinValue, (long)int.MaxValue),
            _ => (0L, -1L),
        };
        return raw < min || raw > max ? null : raw;
    }

    /// <summary>Formats a value at the field's resolution, without unit.</summary>
    public string Format(double value) => value.ToString("F" + Decimals, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The safe range as "min … max" at the field's resolution, without unit; null when the map
    /// gives none. Narrow table columns pass a shorter separator.
    /// </summary>
    public string? RangeText(string separator = " … ")
        => Min is { } min && Max is { } max ? $"{Format(min)}{separator}{Format(max)}" : null;

    public bool InRange(double value) => (Min is null || value >= Min - Tolerance) && (Max is null || value <= Max + Tolerance);

    private double Tolerance => Scale / 2;
}

/// <summary>
/// A sensor is fitted when the pack's <see cref="CountKey"/> (an SPA count such as ntc_count) is
/// at least <see cref="Number"/>. Until that count has been read, or when it reads outside
/// 1 … <see cref="MaxCount"/> (not a count a pack can have), the sensor is taken as fitted.
/// </summary>
public sealed record SensorPresence(string CountKey, int Number, int MaxCount)
{
    /// <summary>False when <paramref name="count"/> says the sensor is not fitted; true otherwise, also when unknown.</summary>
    public bool IsFitted(double? count) => count is not { } n || n < 1 || n > MaxCount || Number <= n;
}
