using System.Buffers.Binary;

namespace SeplosConsole.Rtu;

/// <summary>
/// A reply that passed address, function, length and CRC checks. Either data, or a Modbus
/// exception the caller inspects (a device saying "no" is a value, not a transport failure).
/// </summary>
public sealed class RtuResponse
{
    private readonly byte[] _frame;

    private RtuResponse(RtuRequest request, byte[] frame, ModbusExceptionCode? exception)
    {
        Request = request;
        _frame = frame;
        Exception = exception;
    }

    public RtuRequest Request { get; }
    public ModbusExceptionCode? Exception { get; }
    public bool IsException => Exception is not null;
    public ReadOnlySpan<byte> Frame => _frame;

    /// <summary>The payload after the byte count of a read reply (registers big-endian, or coil bytes).</summary>
    public ReadOnlySpan<byte> Payload => IsException || Request.Function is ModbusFunction.WriteMultipleRegisters or ModbusFunction.WriteMultipleCoils
        ? []
        : _frame.AsSpan(3, _frame[2]);

    public ushort[] Registers()
    {
        if (IsException)
        {
            throw new InvalidOperationException($"the reply is exception {Exception}");
        }
        var payload = Payload;
        var registers = new ushort[payload.Length / 2];
        for (var i = 0; i < registers.Length; i++)
        {
            registers[i] = BinaryPrimitives.ReadUInt16BigEndian(payload[(2 * i)..]);
        }
        return registers;
    }

    /// <summary>
    /// Checks a complete candidate reply for <paramref name="request"/>. Returns null with a reason
    /// when it is not the reply (wrong address, function, byte count or CRC).
    /// </summary>
    public static RtuResponse? TryParse(RtuRequest request, ReadOnlySpan<byte> frame, out string? problem)
    {
        problem = null;
        if (frame.Length < RtuRequest.ExceptionLength)
        {
            problem = "frame too short";
            return null;
        }
        if (frame[0] != request.Address)
        {
            problem = $"reply from address {frame[0]}, expected {request.Address}";
            return null;
        }
        var isException = frame[1] == ((byte)request.Function | 0x80);
        if (!isException && frame[1] != (byte)request.Function)
        {
            problem = $"reply with function 0x{frame[1]:X2}, expected 0x{(byte)request.Function:X2}";
            return null;
        }
        var expectedLength = isException ? RtuRequest.ExceptionLength : request.ExpectedResponseLength;
        if (frame.Length != expectedLength)
        {
            problem = $"reply of {frame.Length} bytes, expected {expectedLength}";
            return null;
        }
        if (!isException && request.Function is ModbusFunction.ReadCoils or ModbusFunction.ReadInputRegisters or ModbusFunction.ReadHoldingRegisters
            && frame[2] != expectedLength - 5)
        {
            problem = $"byte count {frame[2]}, expected {expectedLength - 5}";
            return null;
        }
        if (!Crc16Modbus.IsValidFrame(frame))
        {
            problem = "CRC error";
            return null;
        }
        if (!isException && request.Function == ModbusFunction.WriteMultipleRegisters
            && (BinaryPrimitives.ReadUInt16BigEndian(frame[2..]) != request.Start || BinaryPrimitives.ReadUInt16BigEndian(frame[4..]) != request.Quantity))
        {
            problem = "write reply names another register range";
            return null;
        }
        return new RtuResponse(request, frame.ToArray(), isException ? (ModbusExceptionCode)frame[2] : null);
    }
}
