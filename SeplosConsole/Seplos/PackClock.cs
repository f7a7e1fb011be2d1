using SeplosConsole.Rtu;

namespace SeplosConsole.Seplos;

/// <summary>
/// One read of the pack's clock (SCA 0x1500–0x1503, TB13) and the host's time when it was read.
/// The pack keeps a wall clock without a time zone, so drift is measured against the host's wall
/// clock in a zone the caller names: local time unless the pack is kept on UTC.
/// </summary>
public sealed record PackClockReading(DateTime? PackTime, byte Reserved, DateTimeOffset ReadAt)
{
    /// <summary>The host's wall clock at the moment of the read, in <paramref name="zone"/>.</summary>
    public DateTime HostTime(TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(ReadAt, zone).DateTime;

    /// <summary>Pack time minus host time (positive: the pack is ahead); null when the pack's date is invalid.</summary>
    public TimeSpan? Drift(TimeZoneInfo zone) => PackTime is { } pack ? pack - HostTime(zone) : null;

    /// <summary>The clock from a block reading of SCA.</summary>
    public static PackClockReading From(BlockReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        if (reading.Block != BlockId.Sca || reading.Payload.Length < Tb13Date.Length)
        {
            throw new ArgumentException("the pack's clock is read from SCA's 4 registers", nameof(reading));
        }
        var bytes = reading.Payload.Span[..Tb13Date.Length];
        return new PackClockReading(Tb13Date.Decode(bytes), bytes[Tb13Date.Length - 1], reading.ReadAt);
    }

    /// <summary>The clock in a snapshot, when the poller has read it.</summary>
    public static PackClockReading? From(PackSnapshot snapshot)
        => snapshot.Blocks.TryGetValue(BlockId.Sca, out var reading) ? From(reading) : null;

    /// <summary>"+8 h 0 min 12 s", "−3 s": drift for a person.</summary>
    public static string Describe(TimeSpan drift)
    {
        var seconds = (long)Math.Round(drift.Duration().TotalSeconds);
        var sign = seconds == 0 ? "" : drift < TimeSpan.Zero ? "−" : "+";
        return seconds switch
        {
            < 60 => $"{sign}{seconds} s",
            < 3600 => $"{sign}{seconds / 60} min {seconds % 60} s",
            < 86400 => $"{sign}{seconds / 3600} h {seconds % 3600 / 60} min {seconds % 60} s",
            _ => $"{sign}{seconds / 86400} d {seconds % 86400 / 3600} h {seconds % 3600 / 60} min",
        };
    }
}

/// <summary>History and clock operations of <see cref="SeplosClient"/>: the two non-polled parts of the map.</summary>
public static class SeplosClientHistoryExtensions
{
    /// <summary>
    /// Reads one history record: the newest when <paramref name="first"/>, else the one after the
    /// last read. Null when the pack says there is none (exception 0x81, the end of the history).
    /// The pack keeps the cursor: a retried "next" after a lost reply skips a record, which
    /// <see cref="HistoryRecord.RecordsRemaining"/> shows.
    /// </summary>
    public static async Task<HistoryRecord?> ReadHistoryRecordAsync(this SeplosClient client, byte address, bool first, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var request = RtuRequest.ReadWithCommand(address, SeplosMap.HistoryRequestStart,
            first ? SeplosMap.HistoryFirstCommand : SeplosMap.HistoryNextCommand, SeplosMap.Block(BlockId.Hia).Count);
        var response = await client.Rtu.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return response.Exception switch
        {
            ModbusExceptionCode.NoHistoryRecord => null,
            { } code => throw new PackRefusedException(address, "send a history record", code),
            null => HistoryRecordCodec.Decode(response.Payload),
        };
    }

    public static async Task<PackClockReading> ReadClockAsync(this SeplosClient client, byte address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return PackClockReading.From(await client.ReadBlockAsync(address, BlockId.Sca, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Writes the pack's date: all 4 registers of SCA 0x1500 in one fc 0x10 write. Only the clock
    /// write pipeline calls this, after confirmation and journaling. Returns the pack's refusal, if any.
    /// </summary>
    internal static async Task<ModbusExceptionCode?> WriteClockAsync(this SeplosClient client, byte address, DateTime date, byte reserved, CancellationToken cancellationToken)
    {
        var field = SeplosMap.SystemDate;
        var request = RtuRequest.WriteRegisters(address, field.Address, Tb13Date.Registers(date, reserved));
        var response = await client.Rtu.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return response.Exception;
    }
}
