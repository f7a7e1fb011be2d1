using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Transport;

namespace SeplosConsole.Services;

/// <summary>A block of one pack, decoded from another master's traffic.</summary>
/// <param name="Paired">True when the request was seen; false for a reply identified by its length alone.</param>
public sealed record HeardBlock(byte Address, BlockReading Reading, bool Paired);

/// <summary>The listened link opened (<paramref name="IsUp"/>) or failed, with a line for the log.</summary>
public sealed record LinkChange(bool IsUp, string Message);

/// <summary>
/// Listen mode's ear on the bus: reads the transport and NEVER writes to it (a second master on
/// the bus of a parallel system would collide with pack 0, register reference "Link"). Frames the
/// byte stream with <see cref="RtuStreamDecoder"/>, pairs replies with the master's requests, and
/// raises <see cref="BlockHeard"/> for every whole block a pack (or the master itself) sent.
/// A lost link is reopened with back-off. Events are raised on the listening task.
/// </summary>
public sealed class BusListener
{
    private readonly IBusTransport _transport;
    private readonly TimeProvider _time;
    private readonly Dictionary<byte, LinkCounters> _counters = [];
    private readonly Lock _countersGate = new();
    private readonly Dictionary<(byte Address, ModbusFunction Function), long> _requestSeenAt = [];
    private RtuStreamDecoder _decoder = new();
    private ReplyIdentifier _identifier = new();
    private long _bytesHeard;
    private long _ambiguousReplies;
    private long _badBytes;

    public BusListener(IBusTransport transport, TimeProvider? time = null)
    {
        _transport = transport;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A whole block of a pack was heard.</summary>
    public event EventHandler<HeardBlock>? BlockHeard;

    /// <summary>The link opened (true) or was lost (false), with a reason for the log.</summary>
    public event EventHandler<LinkChange>? LinkChanged;

    public IBusTransport Transport => _transport;

    /// <summary>Bytes read from the bus so far.</summary>
    public long BytesHeard => Interlocked.Read(ref _bytesHeard);

    /// <summary>Bytes that did not frame (noise, damaged frames), over every connection.</summary>
    public long BadBytes => Interlocked.Read(ref _badBytes);

    /// <summary>Unpaired replies that fit several blocks: never used as readings (docs/protocol.md).</summary>
    public long AmbiguousReplies => Interlocked.Read(ref _ambiguousReplies);

    /// <summary>Frames and bad bytes of the current connection's stream.</summary>
    public RtuStreamCounts StreamCounts => _decoder.Counts;

    /// <summary>What was heard for one pack address: its requests, replies, exceptions and bytes.</summary>
    public LinkCounters CountersFor(byte address)
    {
        lock (_countersGate)
        {
            if (!_counters.TryGetValue(address, out var counters))
            {
                _counters[address] = counters = new LinkCounters();
            }
            return counters;
        }
    }

    /// <summary>Listens until cancelled; reopens the link with back-off (1 s … 30 s) when it fails.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        var buffer = new byte[512];
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _transport.OpenAsync(cancellationToken).ConfigureAwait(false);
                failures = 0;
                // Bytes of a frame cut by the reconnect must not be glued to the next one.
                _decoder = new RtuStreamDecoder();
                _identifier = new ReplyIdentifier();
                _requestSeenAt.Clear();
                LinkChanged?.Invoke(this, new LinkChange(true, $"listening on {_transport.Name}"));
                while (true)
                {
                    var read = await _transport.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref _bytesHeard, read);
                    Hear(buffer.AsSpan(0, read));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (TransportException ex)
            {
                failures++;
                LinkChanged?.Invoke(this, new LinkChange(false, ex.Message));
                await _transport.CloseAsync().ConfigureAwait(false);
                var backoff = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(failures - 1, 5))));
                try
                {
                    await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
            }
        }
        await _transport.CloseAsync().ConfigureAwait(false);
    }

    /// <summary>Decodes bytes heard on the bus (the read loop calls it; tests may feed it directly).</summary>
    public void Hear(ReadOnlySpan<byte> bytes)
    {
        var now = _time.GetTimestamp();
        var readAt = _time.GetUtcNow();
        foreach (var item in _decoder.Feed(bytes))
        {
            if (item is RtuBadBytes bad)
            {
                // Noise and damaged frames belong to no known pack; count them for the link.
                Interlocked.Add(ref _badBytes, bad.Length);
                continue;
            }
            var frame = (RtuFrame)item;
            var identification = _identifier.Observe(frame);
            var counters = CountersFor(frame.Address);
            var key = (frame.Address, frame.Function);
            if (frame.Kind == RtuFrameKind.Request)
            {
                counters.Request(frame.Length);
                _requestSeenAt[key] = now;
                continue;
            }
            counters.Received(frame.Length);
            if (frame.Request is not null && _requestSeenAt.Remove(key, out var askedAt))
            {
                counters.Reply(_time.GetElapsedTime(askedAt, now));
            }
            if (frame.Kind == RtuFrameKind.ExceptionResponse)
            {
                counters.ExceptionReply();
                continue;
            }
            if (identification is { IsAmbiguous: true })
            {
                // Two blocks fit (EIC and SFA share a size): reading it as either could raise a
                // false alarm, so it reaches no snapshot, alarm, dashboard or MQTT.
                Interlocked.Increment(ref _ambiguousReplies);
                continue;
            }
            if (Identify(frame, identification) is { } block)
            {
                BlockHeard?.Invoke(this, new HeardBlock(frame.Address, new BlockReading(block, frame.Payload.ToArray(), readAt), frame.Request is not null));
            }
        }
    }

    /// <summary>
    /// Which whole block a read reply carries: from the request when it was seen, else what the
    /// stream's <see cref="ReplyIdentifier"/> said (size, content checks, the master's order).
    /// Null for partial reads (a write's read-back, one SPA half) and for anything ambiguous.
    /// </summary>
    internal static BlockId? Identify(RtuFrame frame, ReplyIdentification? identification = null)
    {
        if (frame.Kind != RtuFrameKind.Response || frame.IsWrite)
        {
            return null;
        }
        if (frame.Request is { Start: { } start, Quantity: { } quantity })
        {
            // Whole blocks only (the vendor software's 0x11-register PIA is one); a partial read (a
            // write's read-back, one SPA half) is not a snapshot.
            return SeplosMap.Blocks.FirstOrDefault(b => b.Function == frame.Function && b.IsWholeRead(start, quantity))?.Id;
        }
        identification ??= ReplyIdentifier.Identify(frame.Address, frame.Function, frame.Payload.Span);
        return identification.Candidate is { IsWholeBlock: true } candidate ? candidate.Block.Id : null;
    }
}
