using System.Runtime.CompilerServices;
using SeplosConsole.Seplos;

namespace SeplosConsole.Services.History;

/// <summary>What to download: at most <see cref="Max"/> records, none older than <see cref="Since"/> (pack clock).</summary>
public sealed record HistoryDownloadOptions
{
    public int? Max { get; init; }
    /// <summary>Records are newest first, so the download stops at the first record older than this.</summary>
    public DateTime? Since { get; init; }
}

/// <summary>Why a download ended.</summary>
public enum HistoryEnd
{
    /// <summary>Still running, or stopped by cancellation.</summary>
    None,
    /// <summary>The pack said there is no further record (exception 0x81).</summary>
    NoMoreRecords,
    /// <summary>--max records were read.</summary>
    Max,
    /// <summary>A record older than --since came.</summary>
    Since,
}

/// <summary>Where a download stands, for a progress bar: the first record says how many remain.</summary>
public sealed record HistoryProgress(int Downloaded, long? Total, TimeSpan Elapsed, long Missed)
{
    public double RecordsPerSecond => Elapsed > TimeSpan.Zero ? Downloaded / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Downloads a pack's history record by record (register reference, HIA): "first" once, then
/// "next" until the pack answers exception 0x81. Each record is handed out as it arrives, so a
/// caller can store it before the next is asked for and an interrupted download keeps what it has.
/// The pack holds the cursor, so a "next" the RTU client had to repeat after a lost reply skips a
/// record; the records-remaining counter shows the gap, counted in <see cref="Missed"/>.
/// Not thread-safe: one download, one consumer.
/// </summary>
public sealed class HistoryDownload
{
    private readonly Func<bool, CancellationToken, Task<HistoryRecord?>> _readRecord;
    private readonly TimeProvider _time;

    /// <summary>A download that owns the bus (the CLI).</summary>
    public HistoryDownload(SeplosClient client, byte address, TimeProvider? time = null)
        : this((first, cancellationToken) => client.ReadHistoryRecordAsync(address, first, cancellationToken), time)
    {
    }

    /// <param name="readRecord">Reads the first (true) or next (false) record; null at the end of the history.</param>
    public HistoryDownload(Func<bool, CancellationToken, Task<HistoryRecord?>> readRecord, TimeProvider? time = null)
    {
        _readRecord = readRecord;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// A download that shares the bus with the poller (the dashboard): each record is one piece of
    /// bus work between two block reads, so the live values keep coming while it runs.
    /// </summary>
    public static HistoryDownload OnBus(BusPoller poller, byte address, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(poller);
        return new((first, cancellationToken) => poller.RunOnBusAsync((client, token) => client.ReadHistoryRecordAsync(address, first, token), cancellationToken), time);
    }

    public int Downloaded { get; private set; }
    /// <summary>Records the pack said it had when the download started (the first record's remaining + 1).</summary>
    public long? Total { get; private set; }
    /// <summary>Records skipped because a request was repeated (the pack advanced its cursor twice).</summary>
    public long Missed { get; private set; }
    public HistoryEnd End { get; private set; }
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    private long _started;

    public event EventHandler<HistoryProgress>? Progress;

    public async IAsyncEnumerable<HistoryRecord> ReadAsync(HistoryDownloadOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        _started = _time.GetTimestamp();
        if (options.Max is <= 0)
        {
            End = HistoryEnd.Max;
            yield break;
        }
        HistoryRecord? previous = null;
        while (true)
        {
            var record = await _readRecord(previous is null, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                End = HistoryEnd.NoMoreRecords;
                break;
            }
            if (previous is null)
            {
                Total = record.RecordsRemaining + 1;
            }
            else if (previous.RecordsRemaining - record.RecordsRemaining > 1)
            {
                Missed += previous.RecordsRemaining - record.RecordsRemaining - 1;
            }
            previous = record;
            if (options.Since is { } since && record.Date is { } date && date < since)
            {
                End = HistoryEnd.Since;
                break;
            }
            Downloaded++;
            Progress?.Invoke(this, new HistoryProgress(Downloaded, Total, Elapsed, Missed));
            yield return record;
            if (Downloaded >= options.Max)
            {
                End = HistoryEnd.Max;
                break;
            }
        }
    }
}

/// <summary>The wire's limit on a history download, from the frame sizes alone.</summary>
public static class HistoryWireLimit
{
    /// <summary>Bytes on the wire per record: the 8-byte request and the reply (5 + 2 × 0x28).</summary>
    public static int BytesPerRecord
    {
        get
        {
            var request = Rtu.RtuRequest.ReadWithCommand(0, SeplosMap.HistoryRequestStart, SeplosMap.HistoryNextCommand, SeplosMap.Block(BlockId.Hia).Count);
            return request.Encode().Length + request.ExpectedResponseLength;
        }
    }

    /// <summary>
    /// Records per second if the line carried nothing but requests and replies back to back: at
    /// 19200 8N1 (10 bits a byte) 93 bytes take 48.4 ms, so 20.6 records/s. A pack's turnaround and
    /// the 3.5-character gaps between frames come on top; a real download stays below this.
    /// </summary>
    public static double RecordsPerSecond(Transport.SerialLineSettings line)
        => 1 / line.WireTime(BytesPerRecord).TotalSeconds;
}
