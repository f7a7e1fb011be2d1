namespace SeplosConsole.Rtu;

/// <summary>Base of every failure on the bus that is not a Modbus exception reply.</summary>
public abstract class RtuException : Exception
{
    protected RtuException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>No complete reply arrived in time.</summary>
public sealed class RtuTimeoutException : RtuException
{
    public RtuTimeoutException(byte address, TimeSpan timeout, int receivedBytes)
        : base($"no answer from address {address} within {timeout.TotalMilliseconds:0} ms" +
               (receivedBytes > 0 ? $" ({receivedBytes} bytes of a reply)" : ""))
    {
        Address = address;
        ReceivedBytes = receivedBytes;
    }

    public byte Address { get; }
    public int ReceivedBytes { get; }
}

/// <summary>A reply of the expected shape arrived but its CRC was wrong.</summary>
public sealed class RtuCrcException : RtuException
{
    public RtuCrcException(byte address, ReadOnlySpan<byte> frame)
        : base($"CRC error in the reply from address {address}: {Convert.ToHexString(frame)}")
    {
        Address = address;
    }

    public byte Address { get; }
}

/// <summary>A reply arrived that does not belong to the request (other address, function or size).</summary>
public sealed class RtuMismatchException : RtuException
{
    public RtuMismatchException(string message) : base(message) { }
}

/// <summary>The transport (serial port, TCP gateway, simulator) is gone or cannot be opened.</summary>
public sealed class TransportException : RtuException
{
    public TransportException(string message, Exception? inner = null) : base(message, inner) { }
}
