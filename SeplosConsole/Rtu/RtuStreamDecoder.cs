using System.Buffers.Binary;

namespace SeplosConsole.Rtu;

/// <summary>
/// Passive decoder of a whole RS485 bus: requests and responses of every master and pack mixed
/// in one byte stream, fed in chunks split anywhere. Used by <c>seplos decode</c> and listen
/// mode, where we never transmit. Not thread-safe: one reader owns an instance.
/// </summary>
/// <remarks>
/// <para>
/// Framing is by length and CRC, never by silence (register reference, "Link": inter-frame gaps
/// are not observable over USB adapters). At each position the header allows a few readings,
/// each with a length: fc 0x01/0x03/0x04 is a read request (8 bytes) or a read response
/// (5 + byte count); fc 0x0F/0x10 a write request (9 + byte count) or a write confirmation
/// (8 bytes); fc | 0x80 an exception (5 bytes). The CRC decides between them. When none has a
/// valid CRC, the first byte is reported bad and the decoder slides ONE byte and tries again, so
/// a good frame after garbage or a damaged frame is always found.
/// </para>
/// <para>
/// When two readings could both be valid, a response that the last request of that address and
/// function expects is tried first, then the shorter reading (a request before a response of
/// the same length). A reading is accepted only once every more likely reading is complete, so
/// the result does not depend on how the stream was split into chunks. A frame still incomplete
/// at the end of a chunk waits for more; <see cref="Flush"/> reports what is left as bad bytes.
/// </para>
/// </remarks>
public sealed class RtuStreamDecoder
{
    /// <summary>
    /// A 16-bit CRC matches random bytes once in 65 536 tries, and the decoder tries at every
    /// byte of a dirty stream (tens of thousands of times for the sp05b capture). Only headers
    /// that a Seplos bus can carry are tried: pack addresses 0x00–0x0F (DIP switch), 0xC0 (ECU)
    /// and 0xE0 (vendor display/PC software) (register reference, "Link"); the function codes in
    /// <see cref="ModbusFunction"/>; quantities within Modbus limits; byte counts that agree with
    /// them; known exception codes. That turns most chance matches into bad bytes.
    /// </summary>
    public static bool IsPlausibleAddress(byte address) => address <= 0x0F || address is 0xC0 or 0xE0;

    /// <summary>An RTU frame is at most 256 bytes (Modbus over serial line, 2.5.1).</summary>
    public const int MaxFrameLength = 256;

    /// <summary>A bad run is reported in pieces of at most this many bytes, so a long run of noise does not pile up.</summary>
    public const int MaxBadRunLength = 256;

    private byte[] _buffer = new byte[2 * MaxFrameLength];
    private int _count;
    private long _bufferOffset;
    private readonly List<byte> _badRun = [];
    private long _badRunOffset;
    private readonly Dictionary<(byte Address, ModbusFunction Function), RtuFrame> _pendingRequests = [];

    private readonly IReadOnlyList<CommandRead> _commandReads;

    private long _requests;
    private long _responses;
    private long _exceptions;
    private long _paired;
    private long _badRuns;
    private long _badBytes;

    /// <param name="commandReads">Non-standard reads the bus may carry (the Seplos history read); none by default.</param>
    public RtuStreamDecoder(IReadOnlyList<CommandRead>? commandReads = null) => _commandReads = commandReads ?? [];

    public RtuStreamCounts Counts => new(_requests + _responses + _exceptions, _requests, _responses, _exceptions, _paired, _badRuns, _badBytes);

    /// <summary>Bytes held back because they may be the start of a frame.</summary>
    public int PendingBytes => _count;

    /// <summary>Adds bytes from the bus and returns what they complete, in stream order.</summary>
    public IReadOnlyList<RtuStreamItem> Feed(ReadOnlySpan<byte> chunk)
    {
        Append(chunk);
        var items = new List<RtuStreamItem>();
        Scan(items, endOfStream: false);
        return items;
    }

    /// <summary>
    /// The stream (or a burst) ended: frames still incomplete will not complete. Reports the
    /// bytes held back (a shorter frame may still be found inside them) and any open bad run.
    /// The decoder can be fed again afterwards; pairing with earlier requests carries on.
    /// </summary>
    public IReadOnlyList<RtuStreamItem> Flush()
    {
        var items = new List<RtuStreamItem>();
        Scan(items, endOfStream: true);
        EndBadRun(items);
        return items;
    }

    /// <summary>
    /// Reads <paramref name="bytes"/> as exactly one frame, ignoring its CRC: for showing what a
    /// damaged frame would have said. Null when no plausible header has exactly this length.
    /// </summary>
    public static RtuFrame? ParseIgnoringCrc(long offset, ReadOnlySpan<byte> bytes)
    {
        Span<Candidate> candidates = stackalloc Candidate[2];
        var found = FindCandidates(bytes, candidates);
        foreach (var candidate in candidates[..found])
        {
            if (candidate.Length == bytes.Length && IsPlausible(candidate.Kind, bytes, []))
            {
                return new RtuFrame(offset, bytes.ToArray(), candidate.Kind, null);
            }
        }
        return null;
    }

    private void Append(ReadOnlySpan<byte> chunk)
    {
        if (_count + chunk.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _count + chunk.Length));
        }
        chunk.CopyTo(_buffer.AsSpan(_count));
        _count += chunk.Length;
    }

    private void Scan(List<RtuStreamItem> items, bool endOfStream)
    {
        var position = 0;
        while (position < _count)
        {
            var data = _buffer.AsSpan(position, _count - position);
            var outcome = TryFrame(data, endOfStream, out var kind, out var length);
            if (outcome == Outcome.NeedMore)
            {
                break;
            }
            if (outcome == Outcome.Bad)
            {
                AddBadByte(items, _bufferOffset + position, data[0]);
                position++;
                continue;
            }
            EndBadRun(items);
            items.Add(Accept(_bufferOffset + position, data[..length].ToArray(), kind));
            position += length;
        }

        // Keep only the undecided tail; it is at most one frame long.
        _buffer.AsSpan(position, _count - position).CopyTo(_buffer);
        _count -= position;
        _bufferOffset += position;
    }

    private enum Outcome { Frame, Bad, NeedMore }

    /// <summary>One way to read the bytes at a position. Length 0: the header is not all here yet.</summary>
    private readonly record struct Candidate(RtuFrameKind Kind, int Length);

    private Outcome TryFrame(ReadOnlySpan<byte> data, bool endOfStream, out RtuFrameKind kind, out int length)
    {
        kind = default;
        length = 0;
        Span<Candidate> candidates = stackalloc Candidate[2];
        var found = FindCandidates(data, candidates);
        if (found == 2 && Prefer(candidates[1], candidates[0], data))
        {
            (candidates[0], candidates[1]) = (candidates[1], candidates[0]);
        }

        var waiting = false;
        foreach (var candidate in candidates[..found])
        {
            if (candidate.Length == 0 || candidate.Length > data.Length)
            {
                waiting = true;
                continue;
            }
            if (waiting && !endOfStream)
            {
                // A more likely reading is still arriving; decide when it is complete.
                return Outcome.NeedMore;
            }
            var frame = data[..candidate.Length];
            if (Crc16Modbus.IsValidFrame(frame) && IsPlausible(candidate.Kind, frame, _commandReads))
            {
                kind = candidate.Kind;
                length = candidate.Length;
                return Outcome.Frame;
            }
        }
        return waiting && !endOfStream ? Outcome.NeedMore : Outcome.Bad;
    }

    /// <summary>The readings the header at the start of <paramref name="data"/> allows (at most two).</summary>
    private static int FindCandidates(ReadOnlySpan<byte> data, Span<Candidate> candidates)
    {
        if (data.IsEmpty || !IsPlausibleAddress(data[0]))
        {
            return 0;
        }
        if (data.Length < 2)
        {
            candidates[0] = new(RtuFrameKind.Request, 0);
            return 1;
        }
        var function = data[1];
        switch (function)
        {
            case (byte)ModbusFunction.ReadCoils:
            case (byte)ModbusFunction.ReadHoldingRegisters:
            case (byte)ModbusFunction.ReadInputRegisters:
                // addr, fc, start, quantity, CRC — or addr, fc, byte count, data…, CRC.
                candidates[0] = new(RtuFrameKind.Request, 8);
                if (data.Length < 3)
                {
                    candidates[1] = new(RtuFrameKind.Response, 0);
                    return 2;
                }
                var byteCount = data[2];
                var registers = function != (byte)ModbusFunction.ReadCoils;
                // A read reply carries 1–250 data bytes, an even number for registers (Modbus 6.3, 6.4).
                if (byteCount == 0 || byteCount > 250 || (registers && byteCount % 2 != 0))
                {
                    return 1;
                }
                candidates[1] = new(RtuFrameKind.Response, 5 + byteCount);
                return 2;

            case (byte)ModbusFunction.WriteMultipleCoils:
            case (byte)ModbusFunction.WriteMultipleRegisters:
                // addr, fc, start, quantity, CRC — or addr, fc, start, quantity, byte count, data…, CRC.
                candidates[0] = new(RtuFrameKind.Response, 8);
                if (data.Length < 7)
                {
                    candidates[1] = new(RtuFrameKind.Request, 0);
                    return 2;
                }
                var valueBytes = data[6];
                // fc 0x10 writes at most 123 registers (246 bytes), fc 0x0F 1968 coils (246 bytes).
                if (valueBytes == 0 || valueBytes > 246)
                {
                    return 1;
                }
                candidates[1] = new(RtuFrameKind.Request, 9 + valueBytes);
                return 2;

            default:
                if ((function & 0x80) != 0 && Enum.IsDefined((ModbusFunction)(function & 0x7F)))
                {
                    candidates[0] = new(RtuFrameKind.ExceptionResponse, RtuRequest.ExceptionLength);
                    return 1;
                }
                return 0;
        }
    }

    /// <summary>Should <paramref name="a"/> be tried before <paramref name="b"/>?</summary>
    private bool Prefer(Candidate a, Candidate b, ReadOnlySpan<byte> data)
    {
        var expectedLength = _pendingRequests.TryGetValue((data[0], (ModbusFunction)data[1]), out var request)
            ? ExpectedLength(request)
            : -1;
        var aExpected = a.Kind == RtuFrameKind.Response && a.Length == expectedLength;
        var bExpected = b.Kind == RtuFrameKind.Response && b.Length == expectedLength;
        if (aExpected != bExpected)
        {
            return aExpected;
        }
        var lengthA = a.Length == 0 ? int.MaxValue : a.Length;
        var lengthB = b.Length == 0 ? int.MaxValue : b.Length;
        return lengthA != lengthB ? lengthA < lengthB : a.Kind == RtuFrameKind.Request;
    }

    /// <summary>Limits of a frame whose CRC passed: quantities and byte counts must agree (Modbus 6.1–6.12).</summary>
    private static bool IsPlausible(RtuFrameKind kind, ReadOnlySpan<byte> frame, IReadOnlyList<CommandRead> commandReads)
    {
        if (kind == RtuFrameKind.Request && frame.Length == 8 && IsCommandRead(frame, commandReads))
        {
            return true;
        }
        var function = (ModbusFunction)(frame[1] & 0x7F);
        if (kind == RtuFrameKind.ExceptionResponse)
        {
            return frame.Length == RtuRequest.ExceptionLength && Enum.IsDefined((ModbusExceptionCode)frame[2]);
        }
        if (kind == RtuFrameKind.Response && function is ModbusFunction.ReadCoils or ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters)
        {
            // Byte count was checked when the length was worked out from it.
            return frame.Length == 5 + frame[2];
        }
        var quantity = BinaryPrimitives.ReadUInt16BigEndian(frame[4..]);
        var quantityOk = function switch
        {
            // A read request past the Modbus limits (2000 coils, 125 registers) is still what a
            // master sent: the vendor software asks PIC for 0x0900 coils (C1) and gets exception 02.
            // Its CRC decides; the interpreter notes the excess.
            ModbusFunction.ReadCoils or ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters => quantity >= 1,
            ModbusFunction.WriteMultipleCoils => quantity is >= 1 and <= 1968,
            ModbusFunction.WriteMultipleRegisters => quantity is >= 1 and <= 123,
            _ => false,
        };
        if (!quantityOk)
        {
            return false;
        }
        if (kind == RtuFrameKind.Request && function == ModbusFunction.WriteMultipleRegisters)
        {
            return frame[6] == 2 * quantity && frame.Length == 9 + frame[6];
        }
        if (kind == RtuFrameKind.Request && function == ModbusFunction.WriteMultipleCoils)
        {
            return frame[6] == (quantity + 7) / 8 && frame.Length == 9 + frame[6];
        }
        return frame.Length == 8;
    }

    private RtuFrame Accept(long offset, byte[] bytes, RtuFrameKind kind)
    {
        var key = (bytes[0], (ModbusFunction)(bytes[1] & 0x7F));
        if (kind == RtuFrameKind.Request)
        {
            var request = new RtuFrame(offset, bytes, kind, null);
            _pendingRequests[key] = request;
            _requests++;
            return request;
        }

        RtuFrame? answered = null;
        if (_pendingRequests.TryGetValue(key, out var pending))
        {
            var probe = new RtuFrame(offset, bytes, kind, null);
            if (Answers(probe, pending))
            {
                answered = pending;
                _pendingRequests.Remove(key);
                _paired++;
            }
        }
        if (kind == RtuFrameKind.ExceptionResponse)
        {
            _exceptions++;
        }
        else
        {
            _responses++;
        }
        return new RtuFrame(offset, bytes, kind, answered);
    }

    /// <summary>Does <paramref name="response"/> fit <paramref name="request"/> (size, or the range a write names)?</summary>
    private bool Answers(RtuFrame response, RtuFrame request) => response.Kind switch
    {
        RtuFrameKind.ExceptionResponse => true,
        _ when response.IsWrite => response.Start == request.Start && response.Quantity == request.Quantity,
        _ => response.Length == ExpectedLength(request),
    };

    /// <summary>A command read's reply has its own size; every other request's follows from its quantity.</summary>
    private int ExpectedLength(RtuFrame request)
    {
        foreach (var read in _commandReads)
        {
            if (read.Matches(request.Bytes.Span))
            {
                return read.ReplyLength;
            }
        }
        return request.ExpectedResponseLength;
    }

    private static bool IsCommandRead(ReadOnlySpan<byte> request, IReadOnlyList<CommandRead> commandReads)
    {
        foreach (var read in commandReads)
        {
            if (read.Matches(request))
            {
                return true;
            }
        }
        return false;
    }

    private void AddBadByte(List<RtuStreamItem> items, long offset, byte value)
    {
        if (_badRun.Count == 0)
        {
            _badRunOffset = offset;
        }
        _badRun.Add(value);
        _badBytes++;
        if (_badRun.Count == MaxBadRunLength)
        {
            EndBadRun(items);
        }
    }

    private void EndBadRun(List<RtuStreamItem> items)
    {
        if (_badRun.Count == 0)
        {
            return;
        }
        items.Add(new RtuBadBytes(_badRunOffset, [.. _badRun]));
        _badRuns++;
        _badRun.Clear();
    }
}
