namespace SeplosConsole.Rtu;

/// <summary>The Modbus function codes a Seplos V3 uses (register reference, "Link").</summary>
public enum ModbusFunction : byte
{
    ReadCoils = 0x01,
    ReadHoldingRegisters = 0x03,
    ReadInputRegisters = 0x04,
    WriteMultipleCoils = 0x0F,
    WriteMultipleRegisters = 0x10,
}

/// <summary>Exception codes from a Modbus exception reply (addr, fc|0x80, code, CRC).</summary>
public enum ModbusExceptionCode : byte
{
    IllegalFunction = 0x01,
    IllegalDataAddress = 0x02,
    IllegalDataValue = 0x03,
    DeviceFailure = 0x04,
    Acknowledge = 0x05,
    DeviceBusy = 0x06,
    MemoryParityError = 0x08,
    GatewayPathUnavailable = 0x0A,
    GatewayTargetFailedToRespond = 0x0B,
    NoHistoryRecord = 0x81,
}

public static class ModbusExceptionCodeExtensions
{
    /// <summary>
    /// The pack says the request itself has no answer (no such function or register): asking again
    /// will not help. Busy or a device failure may pass; they are not a missing block.
    /// </summary>
    public static bool SaysNotThere(this ModbusExceptionCode code) => code is ModbusExceptionCode.IllegalFunction or ModbusExceptionCode.IllegalDataAddress;

    public static string Describe(this ModbusExceptionCode code) => code switch
    {
        ModbusExceptionCode.IllegalFunction => "illegal function (the pack does not support this request)",
        ModbusExceptionCode.IllegalDataAddress => "illegal data address (the pack has no such register, or the read is too long)",
        ModbusExceptionCode.IllegalDataValue => "illegal data value (the pack refused the value)",
        ModbusExceptionCode.DeviceFailure => "device failure",
        ModbusExceptionCode.Acknowledge => "acknowledged, still processing",
        ModbusExceptionCode.DeviceBusy => "device busy",
        ModbusExceptionCode.MemoryParityError => "memory parity error",
        ModbusExceptionCode.GatewayPathUnavailable => "gateway path unavailable",
        ModbusExceptionCode.GatewayTargetFailedToRespond => "gateway target failed to respond",
        ModbusExceptionCode.NoHistoryRecord => "no history record",
        _ => $"exception 0x{(byte)code:X2}",
    };
}
