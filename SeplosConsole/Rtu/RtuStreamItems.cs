using System.Buffers.Binary;

namespace SeplosConsole.Rtu;

/// <summary>
/// Something <see cref="RtuStreamDecoder"/> found in a bus stream: a frame with a valid CRC, or
/// a run of bytes that did not frame. Immutable.
/// </summary>
public abstract class RtuStreamItem
{
    private readonly byte[] _bytes;

    private protected RtuStreamItem(long offset, byte[] bytes)
    {
        Offset = offset;
        _bytes = bytes;
    }

    /// <summary>Position of the first byte in the whole stream (0 = first byte fed).</summary>
    public long Offset { get; }

    public ReadOnlyMemory<byte> Bytes => _bytes;

    public int Length => _bytes.Length;

    public string Hex => HexBytes.Format(_bytes);
}

/// <summary>Bytes that failed CRC or could not be framed (the decoder slid over them one at a time).</summary>
public sealed class RtuBadBytes : RtuStreamItem
{
    internal RtuBadBytes(long offset, byte[] bytes) : base(offset, bytes) { }

    public override string ToString() => $"@{Offset} {Length} bad byte(s): {Hex}";
}

public enum RtuFrameKind
{
    /// <summary>Master to pack: a read (8 bytes) or a write (9 + byte count).</summary>
    Request,
    /// <summary>Pack to master: read data (5 + byte count) or a write confirmation (8 bytes).</summary>
    Response,
    /// <summary>Pack to master: addr, fc | 0x80, code, CRC (5 bytes).</summary>
    ExceptionResponse,
}

/// <summary>
/// A frame with a valid CRC and a plausible header, seen on the bus. Which fields mean
/// something depends on <see cref="Kind"/> and the function (register reference, "Link").
/// </summary>
public sealed class RtuFrame : RtuStreamItem
{
    internal RtuFrame(long offset, byte[] bytes, RtuFrameKind kind, RtuFrame? request) : base(offset, bytes)
    {
        Kind = kind;
        Request = request;
    }

    public RtuFrameKind Kind { get; }

    public byte Address => Bytes.Span[0];

    /// <summary>The function byte as sent (with 0x80 set in an exception response).</summary>
    public byte FunctionCode => Bytes.Span[1];

    /// <summary>The function asked for, without the exception bit.</summary>
    public ModbusFunction Function => (ModbusFunction)(FunctionCode & 0x7F);

    public bool IsWrite => Function is ModbusFunction.WriteMultipleCoils or ModbusFunction.WriteMultipleRegisters;

    public ModbusExceptionCode? ExceptionCode => Kind == RtuFrameKind.ExceptionResponse ? (ModbusExceptionCode)Bytes.Span[2] : null;

    /// <summary>
    /// The request this response answers: the last request seen before it with the same address
    /// and function whose size fits the response. Null for requests and unanswered-for responses.
    /// </summary>
    public RtuFrame? Request { get; }

    /// <summary>First register or coil: in every request and in a write confirmation; null in a read response.</summary>
    public ushort? Start => HasRange ? BinaryPrimitives.ReadUInt16BigEndian(Bytes.Span[2..]) : null;

    /// <summary>Registers (fc 0x03/0x04/0x10) or coils (fc 0x01/0x0F), where <see cref="Start"/> is known.</summary>
    public ushort? Quantity => HasRange ? BinaryPrimitives.ReadUInt16BigEndian(Bytes.Span[4..]) : null;

    /// <summary>
    /// The data bytes after the byte count: register values (big-endian) or coil bytes of a read
    /// response, the values of a write request. Empty for other frames.
    /// </summary>
    public ReadOnlyMemory<byte> Payload => (Kind, IsWrite) switch
    {
        (RtuFrameKind.Response, false) => Bytes.Slice(3, Bytes.Span[2]),
        (RtuFrameKind.Request, true) => Bytes.Slice(7, Bytes.Span[6]),
        _ => ReadOnlyMemory<byte>.Empty,
    };

    /// <summary>Length of the normal response a request asks for (0 for a response).</summary>
    public int ExpectedResponseLength => Kind != RtuFrameKind.Request
        ? 0
        : Function switch
        {
            ModbusFunction.ReadCoils => 5 + ((Quantity!.Value + 7) / 8),
            ModbusFunction.ReadInputRegisters or ModbusFunction.ReadHoldingRegisters => 5 + (2 * Quantity!.Value),
            _ => 8,
        };

    private bool HasRange => Kind == RtuFrameKind.Request || (Kind == RtuFrameKind.Response && IsWrite);

    public override string ToString() => $"@{Offset} {Kind} addr 0x{Address:X2} fc 0x{FunctionCode:X2}: {Hex}";
}

/// <summary>What a <see cref="RtuStreamDecoder"/> has seen so far.</summary>
/// <param name="ValidFrames">Requests + responses + exception responses.</param>
/// <param name="Responses">Normal responses (read data, write confirmations), not exceptions.</param>
/// <param name="PairedResponses">Responses and exceptions matched to a request seen before them.</param>
/// <param name="BadRuns">Runs of consecutive bad bytes.</param>
public readonly record struct RtuStreamCounts(
    long ValidFrames,
    long Requests,
    long Responses,
    long Exceptions,
    long PairedResponses,
    long BadRuns,
    long BadBytes);
