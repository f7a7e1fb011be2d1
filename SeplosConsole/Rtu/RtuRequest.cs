using System.Buffers.Binary;

namespace SeplosConsole.Rtu;

/// <summary>
/// One Modbus RTU request. The reply's length follows from it (register reference, "Link"):
/// fc 0x03/0x04 → 5 + 2n bytes, fc 0x01 → 5 + ceil(bits/8), fc 0x10/0x0F → 8, exception → 5.
/// </summary>
public sealed record RtuRequest
{
    public const int ExceptionLength = 5;

    private RtuRequest(byte address, ModbusFunction function, ushort start, ushort quantity, ushort[]? values, ushort? replyRegisters = null)
    {
        Address = address;
        Function = function;
        Start = start;
        Quantity = quantity;
        Values = values;
        ReplyRegisters = replyRegisters;
    }

    public byte Address { get; }
    public ModbusFunction Function { get; }
    public ushort Start { get; }
    /// <summary>Registers for fc 0x03/0x04/0x10, coils (bits) for fc 0x01.</summary>
    public ushort Quantity { get; }
    /// <summary>The register values of a write (fc 0x10); null for reads.</summary>
    public IReadOnlyList<ushort>? Values { get; }

    /// <summary>
    /// For a read whose count field is a command (<see cref="ReadWithCommand"/>): the registers the
    /// reply carries. Null for every standard request, whose reply length follows from <see cref="Quantity"/>.
    /// </summary>
    public ushort? ReplyRegisters { get; }

    /// <summary>True for a read whose count field is a command rather than a count.</summary>
    public bool IsCommandRead => ReplyRegisters is not null;
    public static RtuRequest ReadInputRegisters(byte address, ushort start, ushort count)
    {
        // Modbus allows at most 125 registers in one read reply (byte count ≤ 250).
        ArgumentOutOfRangeException.ThrowIfZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, (ushort)125);
        return new(address, ModbusFunction.ReadInputRegisters, start, count, null);
    }

    /// <summary>
    /// A non-standard fc 0x04 read whose count field carries a command, answered with a fixed
    /// number of registers (the Seplos history read: start 0x7000, command 0x55AA or 0xAA55, a
    /// reply of 0x28 registers; register reference, HIA). The reply length cannot follow from the
    /// count field, so the caller states it.
    /// </summary>
    public static RtuRequest ReadWithCommand(byte address, ushort start, ushort command, ushort replyRegisters)
    {
        ArgumentOutOfRangeException.ThrowIfZero(replyRegisters);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(replyRegisters, (ushort)125);
        return new(address, ModbusFunction.ReadInputRegisters, start, command, null, replyRegisters);
    }

    public static RtuRequest ReadCoils(byte address, ushort start, ushort bits)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, (ushort)2000);
        return new(address, ModbusFunction.ReadCoils, start, bits, null);
    }

    public static RtuRequest WriteRegisters(byte address, ushort start, IReadOnlyList<ushort> values)
    {
        ArgumentOutOfRangeException.ThrowIfZero(values.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(values.Count, 123);
        return new(address, ModbusFunction.WriteMultipleRegisters, start, (ushort)values.Count, [.. values]);
    }

    /// <summary>Length in bytes of a normal (non-exception) reply.</summary>
    public int ExpectedResponseLength => Function switch
    {
        ModbusFunction.ReadInputRegisters or ModbusFunction.ReadHoldingRegisters => 5 + (2 * (ReplyRegisters ?? Quantity)),
        ModbusFunction.ReadCoils => 5 + ((Quantity + 7) / 8),
        ModbusFunction.WriteMultipleRegisters or ModbusFunction.WriteMultipleCoils => 8,
        _ => throw new InvalidOperationException($"unsupported function {Function}"),
    };

    /// <summary>The request on the wire, CRC included.</summary>
    public byte[] Encode()
    {
        if (Function == ModbusFunction.WriteMultipleRegisters)
        {
            // addr, 0x10, start hi/lo, count hi/lo, byte count, values hi/lo…, CRC lo/hi
            var frame = new byte[9 + (2 * Quantity) ];
            WriteHeader(frame);
            frame[6] = (byte)(2 * Quantity);
            for (var i = 0; i < Quantity; i++)
            {
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(7 + (2 * i)), Values![i]);
            }
            Crc16Modbus.Seal(frame);
            return frame;
        }

        // addr, fc, start hi/lo, quantity hi/lo, CRC lo/hi
        var read = new byte[8];
        WriteHeader(read);
        Crc16Modbus.Seal(read);
        return read;
    }

    public override string ToString() => Function switch
    {
        ModbusFunction.WriteMultipleRegisters => $"write {Quantity} register(s) at 0x{Start:X4} on address {Address}",
        ModbusFunction.ReadCoils => $"read {Quantity} coils at 0x{Start:X4} from address {Address}",
        _ when IsCommandRead => $"read with command 0x{Quantity:X4} at 0x{Start:X4} from address {Address}",
        _ => $"read {Quantity} registers at 0x{Start:X4} from address {Address}",
    };

    private void WriteHeader(Span<byte> frame)
    {
        frame[0] = Address;
        frame[1] = (byte)Function;
        BinaryPrimitives.WriteUInt16BigEndian(frame[2..], Start);
        BinaryPrimitives.WriteUInt16BigEndian(frame[4..], Quantity);
    }
}
