using SeplosConsole.Transport;

namespace SeplosConsole.Rtu;

/// <summary>A reply that did not arrive or did not fit (not a Modbus exception reply, not a lost link).</summary>
public abstract class RtuException : BusException
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
