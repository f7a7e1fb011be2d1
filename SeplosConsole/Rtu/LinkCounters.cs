namespace SeplosConsole.Rtu;

/// <summary>
/// What happened on a link or for one pack address. Updated from the bus task, read from any
/// thread: every field is written with Interlocked, and <see cref="Snapshot"/> is a copy.
/// </summary>
public sealed class LinkCounters
{
    private long _requests;
    private long _replies;
    private long _timeouts;
    private long _crcErrors;
    private long _exceptions;
    private long _mismatches;
    private long _bytesSent;
    private long _bytesReceived;
    private long _discardedBytes;
    private long _echoes;
    private long _linkFailures;
    private long _rttTicksTotal;
    private long _rttTicksLast;
    private long _rttTicksMax;

    internal void Request(int bytes)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void Reply(TimeSpan roundTrip)
    {
        Interlocked.Increment(ref _replies);
        Interlocked.Add(ref _rttTicksTotal, roundTrip.Ticks);
        Interlocked.Exchange(ref _rttTicksLast, roundTrip.Ticks);
        long max;
        while (roundTrip.Ticks > (max = Interlocked.Read(ref _rttTicksMax))
               && Interlocked.CompareExchange(ref _rttTicksMax, roundTrip.Ticks, max) != max)
        {
        }
    }

    internal void Received(int bytes) => Interlocked.Add(ref _bytesReceived, bytes);
    internal void Timeout() => Interlocked.Increment(ref _timeouts);
    internal void CrcError() => Interlocked.Increment(ref _crcErrors);
    internal void ExceptionReply() => Interlocked.Increment(ref _exceptions);
    internal void Mismatch() => Interlocked.Increment(ref _mismatches);
    internal void Discarded(int bytes) => Interlocked.Add(ref _discardedBytes, bytes);
    internal void Echo() => Interlocked.Increment(ref _echoes);
    internal void LinkFailure() => Interlocked.Increment(ref _linkFailures);

    public LinkCountersSnapshot Snapshot()
    {
        var replies = Interlocked.Read(ref _replies);
        return new LinkCountersSnapshot(
            Interlocked.Read(ref _requests),
            replies,
            Interlocked.Read(ref _timeouts),
            Interlocked.Read(ref _crcErrors),
            Interlocked.Read(ref _exceptions),
            Interlocked.Read(ref _mismatches),
            Interlocked.Read(ref _bytesSent),
            Interlocked.Read(ref _bytesReceived),
            Interlocked.Read(ref _discardedBytes),
            Interlocked.Read(ref _echoes),
            Interlocked.Read(ref _linkFailures),
            TimeSpan.FromTicks(Interlocked.Read(ref _rttTicksLast)),
            replies == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Interlocked.Read(ref _rttTicksTotal) / replies),
            TimeSpan.FromTicks(Interlocked.Read(ref _rttTicksMax)));
    }
}

public sealed record LinkCountersSnapshot(
    long Requests,
    long Replies,
    long Timeouts,
    long CrcErrors,
    long Exceptions,
    long Mismatches,
    long BytesSent,
    long BytesReceived,
    long DiscardedBytes,
    long Echoes,
    long LinkFailures,
    TimeSpan LastRoundTrip,
    TimeSpan AverageRoundTrip,
    TimeSpan MaxRoundTrip)
{
    public long Errors => Timeouts + CrcErrors + Mismatches + LinkFailures;
}
