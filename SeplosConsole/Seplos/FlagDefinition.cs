namespace SeplosConsole.Seplos;

/// <summary>What a bit says when it is set; decides colour, grouping and the HA device class.</summary>
public enum FlagKind
{
    /// <summary>A warning threshold was crossed (HA: problem).</summary>
    Alarm,
    /// <summary>The BMS acted to protect the pack (HA: safety).</summary>
    Protection,
    /// <summary>Hardware fault (HA: problem).</summary>
    Fault,
    /// <summary>System state: charging, standby … (not a problem).</summary>
    State,
    /// <summary>A MOSFET or heater is on.</summary>
    Switch,
    /// <summary>A cell is being balanced.</summary>
    Balancing,
    /// <summary>
    /// A function the BMS has enabled (SFA function switches): a setting, never an alarm, even when
    /// its name is an alarm's (register reference, PIC: "must not report them as alarms").
    /// </summary>
    Setting,
}

/// <summary>
/// One named bit of a coil block (PIC, SFA or EIC). <see cref="Bit"/> counts from the block start:
/// byte index × 8 + bit, bit 0 lowest (register reference, PIC).
/// </summary>
public sealed record FlagDefinition(string Key, string Name, BlockId Block, int Bit, FlagKind Kind, bool Uncertain = false, string? Note = null)
{
    public int ByteIndex => Bit / 8;
    public int BitInByte => Bit % 8;
    public ushort Coil => (ushort)(SeplosMap.Block(Block).Start + Bit);

    /// <summary>
    /// For a bit about one cell or temperature sensor: the count that says whether it is fitted. The
    /// bit of a sensor that is not fitted says nothing, so it is absent, never "off".
    /// </summary>
    public SensorPresence? FittedWhen { get; init; }

    /// <summary>Active alarms, protections and faults are what a user must see.</summary>
    public bool IsProblem => Kind is FlagKind.Alarm or FlagKind.Protection or FlagKind.Fault;
}
