using System.Buffers.Binary;

namespace SeplosConsole.Rtu;

/// <summary>
/// A non-standard read whose count field is a command and whose reply has a fixed size (the
/// Seplos history read, <see cref="RtuRequest.ReadWithCommand"/>). The passive decoder is told of
/// such reads, so it takes their requests as plausible and pairs them with their replies.
/// </summary>
public sealed record CommandRead(ModbusFunction Function, ushort Start, IReadOnlyList<ushort> Commands, ushort ReplyRegisters)
{
    /// <summary>Length of the normal reply: address, function, byte count, the registers, CRC.</summary>
    public int ReplyLength => 5 + (2 * ReplyRegisters);

    /// <summary>True when <paramref name="request"/> (an 8-byte read request) is this read.</summary>
    public bool Matches(ReadOnlySpan<byte> request)
        => request.Length >= 6 && (request[1] & 0x7F) == (byte)Function
           && BinaryPrimitives.ReadUInt16BigEndian(request[2..]) == Start
           && Commands.Contains(BinaryPrimitives.ReadUInt16BigEndian(request[4..]));
}
