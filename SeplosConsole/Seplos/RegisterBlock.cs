using SeplosConsole.Rtu;

namespace SeplosConsole.Seplos;

/// <summary>The Seplos V3 data blocks (register reference, one section each).</summary>
public enum BlockId
{
    /// <summary>Pack info A: voltage, current, capacity, SOC/SOH, cell extremes.</summary>
    Pia,
    /// <summary>Pack info B: cell voltages and temperatures.</summary>
    Pib,
    /// <summary>Pack info C: alarm, balancing, state and fault bits (coils).</summary>
    Pic,
    /// <summary>System parameters (thresholds and settings).</summary>
    Spa,
    /// <summary>Version info: maker, model, firmware, serials.</summary>
    Via,
    /// <summary>Inverter (PCS) CAN protocol settings.</summary>
    Pct,
    /// <summary>Function switches: which protections and functions are enabled (coils; settings, never alarms).</summary>
    Sfa,
    /// <summary>System totals from the master pack of a parallel system.</summary>
    Eia,
    /// <summary>System extremes from the master pack; layout unconfirmed, diagnostics only.</summary>
    Eib,
    /// <summary>System state bits from the master pack (coils).</summary>
    Eic,
    /// <summary>System control: only its date (TB13) is mapped; the rest are commands no front end may reach.</summary>
    Sca,
    /// <summary>One history record (layout unconfirmed); read with the non-standard request, never polled.</summary>
    Hia,
}

/// <summary>
/// Where a block lives and how it is read. Register blocks count registers, coil blocks bits.
/// A block longer than <see cref="MaxPerRequest"/> is read in several requests, as the vendor
/// software does for SPA (two reads of 0x35 registers, capture C1).
/// </summary>
public sealed record RegisterBlock(
    BlockId Id,
    string Name,
    ModbusFunction Function,
    ushort Start,
    ushort Count,
    ushort MaxPerRequest,
    string Description,
    bool Uncertain = false,
    ushort? FallbackCount = null)
{
    // FallbackCount: a shorter read some packs answer when they refuse the whole block with
    // exception 02 (PIA: the vendor software reads 0x11 registers, the master 0x12).

    public bool IsCoils => Function == ModbusFunction.ReadCoils;

    /// <summary>
    /// Whether a read of <paramref name="quantity"/> units at <paramref name="start"/> is the whole
    /// block in one request: the full count, or the shorter <see cref="FallbackCount"/> read (the vendor
    /// software reads PIA with 0x11 registers; register reference, "Parallel stacks"), which decodes
    /// into a snapshot with the fields past its end missing.
    /// </summary>
    public bool IsWholeRead(ushort start, ushort quantity)
        => start == Start && (quantity == Count || quantity == FallbackCount) && MaxPerRequest >= Count;

    /// <summary>Registers (or coil bytes) the block occupies once read.</summary>
    public int RegisterCount => IsCoils ? (Count + 7) / 8 : Count;

    /// <summary>Payload bytes of a whole reading of the block: a coil byte holds 8 coils, a register 2 bytes.</summary>
    public int PayloadLength => IsCoils ? RegisterCount : RegisterCount * 2;

    /// <summary>Whether <paramref name="bytes"/> is the payload of a whole read (<see cref="IsWholeRead"/>): the full block or its fallback read.</summary>
    public bool IsWholePayload(int bytes) => bytes == PayloadLength || (FallbackCount is { } fallback && bytes == fallback * 2);

    public IEnumerable<RtuRequest> Requests(byte address) => Requests(address, Count);

    /// <summary>The requests for the first <paramref name="units"/> registers or coils of the block.</summary>
    public IEnumerable<RtuRequest> Requests(byte address, ushort units)
    {
        for (var offset = 0; offset < units; offset += MaxPerRequest)
        {
            var count = (ushort)Math.Min(MaxPerRequest, units - offset);
            var start = (ushort)(Start + offset);
            yield return IsCoils
                ? RtuRequest.ReadCoils(address, start, count)
                : RtuRequest.ReadInputRegisters(address, start, count);
        }
    }

    /// <summary>True when a read of <paramref name="count"/> units at <paramref name="start"/> lies inside the block.</summary>
    public bool Covers(ushort start, ushort count) => start >= Start && start + count <= Start + Count;
}
