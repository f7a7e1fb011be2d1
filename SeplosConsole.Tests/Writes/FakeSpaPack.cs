using System.Buffers.Binary;
using SeplosConsole.Rtu;
using SeplosConsole.Seplos;
using SeplosConsole.Tests.Support;

namespace SeplosConsole.Tests.Writes;

/// <summary>What the fake pack does with the next fc 0x10 write.</summary>
public enum WriteFault
{
    None,
    /// <summary>Stores nothing and never answers (the client times out).</summary>
    NoReply,
    /// <summary>Answers with a Modbus exception reply and stores nothing.</summary>
    ExceptionReply,
    /// <summary>Acknowledges but stores <see cref="FakeSpaPack.StoredInstead"/>.</summary>
    StoresOtherValue,
    /// <summary>Stores the value but its reply is lost on the line.</summary>
    ReplyLost,
    /// <summary>Stores the value, then answers with a Modbus exception reply (a busy pack that wrote anyway).</summary>
    StoresThenExceptionReply,
}

/// <summary>
/// A test-only pack at address 0: answers fc 0x04 reads inside SPA (0x1300–0x1369) and fc 0x10
/// single-register writes from an in-memory image filled with the reference's C1 values.
/// Everything else gets exception 0x02, as a real pack does for an unknown address.
/// </summary>
public sealed class FakeSpaPack : FakeBusTransport
{
    public const byte PackAddress = 0;
    private const ushort SpaStart = 0x1300;

    // SPA 0x00–0x69 of the reference's C1 pack (16S 330 Ah), engineering values in map units.
    private static readonly double[] C1 =
    [
        4, 16, 54.00, 56.00, 54.00, 57.60, 48.00, 46.40, 48.00, 43.20,
        3.400, 3.500, 3.400, 3.650, 3.100, 2.900, 3.100, 2.700, 2.000, 1.000, 0.500,
        203, 205, 210, 10.0, 300, 300, -203, -205, -210, 10.0, -350, 300, -300, 106, 60.0, 5, 300.0, 205, 1.0,
        3.500, 3.400, 1500, 100.0, 80.0, 20.0, 3.0,
        47, 50, 50, 55, 5, 3, 2, 0,
        50, 55, 55, 60, 3, 0, 1, -3,
        47, 50, 55, 60, 3, 0, 0, -10,
        85, 95, 85, 110, 10, 0, 50, 0, 10, 3.400, 0.050, 0.030, 96.0,
        8.0, 5.0, 5.0, 3.0, 330.00, 330.00, 274.56, 48, 6.0, 240, 10, 7, 0, 13, 0, 0.500, 0.300,
        57.60, 180, -180, 0, 8,
    ];

    public FakeSpaPack()
    {
        var payload = new byte[Registers.Length * 2];
        foreach (var field in SeplosMap.FieldsOf(BlockId.Spa))
        {
            SeplosCodec.EncodeValue(field, C1[field.Offset], payload);
        }
        for (var i = 0; i < Registers.Length; i++)
        {
            Registers[i] = BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(2 * i));
        }
    }

    /// <summary>SPA image, index = offset from 0x1300.</summary>
    public ushort[] Registers { get; } = new ushort[0x6A];

    public WriteFault Fault { get; set; }

    /// <summary>Runs when a write request arrives, before the register changes (to look at the journal then).</summary>
    public Action? BeforeWrite { get; set; }
    public ModbusExceptionCode ExceptionToSend { get; set; } = ModbusExceptionCode.IllegalDataValue;
    public ushort StoredInstead { get; set; }

    /// <summary>Every fc 0x10 request that reached the pack: (register address, value).</summary>
    public List<(ushort Register, ushort Value)> Writes { get; } = [];

    public int Reads { get; private set; }

    public long Raw(string key)
    {
        var field = SeplosMap.FindField(key)!;
        var raw = Registers[field.Offset];
        return field.IsSigned ? (short)raw : raw;
    }

    public void Set(string key, double value) => Registers[SeplosMap.FindField(key)!.Offset] = unchecked((ushort)SeplosMap.FindField(key)!.ToRaw(value)!.Value);

    public override string Name => "fake";

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var frame = data.Span;
        Assert.True(Crc16Modbus.IsValidFrame(frame), "the client sent a frame with a bad CRC");
        if (frame[0] != PackAddress)
        {
            return ValueTask.CompletedTask;
        }
        var function = frame[1];
        var start = BinaryPrimitives.ReadUInt16BigEndian(frame[2..]);
        var count = BinaryPrimitives.ReadUInt16BigEndian(frame[4..]);
        var inSpa = start >= SpaStart && start + count <= SpaStart + Registers.Length;
        if (function == (byte)ModbusFunction.ReadInputRegisters && inSpa)
        {
            Reads++;
            var reply = new byte[5 + (2 * count)];
            reply[2] = (byte)(2 * count);
            for (var i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(3 + (2 * i)), Registers[start - SpaStart + i]);
            }
            Answer(reply, function);
        }
        else if (function == (byte)ModbusFunction.WriteMultipleRegisters && inSpa && count == 1)
        {
            var value = BinaryPrimitives.ReadUInt16BigEndian(frame[7..]);
            BeforeWrite?.Invoke();
            Writes.Add((start, value));
            switch (Fault)
            {
                case WriteFault.NoReply:
                    return ValueTask.CompletedTask;
                case WriteFault.ExceptionReply:
                    Answer([0, 0, (byte)ExceptionToSend, 0, 0], function | 0x80);
                    return ValueTask.CompletedTask;
                case WriteFault.StoresOtherValue:
                    value = StoredInstead;
                    break;
                case WriteFault.ReplyLost:
                    Registers[start - SpaStart] = value;
                    return ValueTask.CompletedTask;
                case WriteFault.StoresThenExceptionReply:
                    Registers[start - SpaStart] = value;
                    Answer([0, 0, (byte)ExceptionToSend, 0, 0], function | 0x80);
                    return ValueTask.CompletedTask;
            }
            Registers[start - SpaStart] = value;
            var reply = new byte[8];
            frame[2..6].CopyTo(reply.AsSpan(2));
            Answer(reply, function);
        }
        else
        {
            Answer([0, 0, (byte)ModbusExceptionCode.IllegalDataAddress, 0, 0], function | 0x80);
        }
        return ValueTask.CompletedTask;
    }

    private void Answer(byte[] reply, int function)
    {
        reply[0] = PackAddress;
        reply[1] = (byte)function;
        Crc16Modbus.Seal(reply);
        Arrive(reply);
    }
}
