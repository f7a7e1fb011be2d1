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
    public RtuTimeoutException(byte address, TimeSpan timeout, int receivedBytes, ReadOnlySpan<byte> received = default)
        : base($"no answer from address {address} within {timeout.TotalMilliseconds:0} ms" +
               (receivedBytes > 0 ? $" ({receivedBytes} bytes of a reply)" : "") +
               (received.IsEmpty ? "" : $"; received {Received(received)}"))
    {
        Address = address;
        ReceivedBytes = receivedBytes;
    }

    public byte Address { get; }
    public int ReceivedBytes { get; }

    /// <summary>"n bytes: 00 04 24 …" (spaced hex, as captures and <c>seplos decode</c> write them), or "nothing".</summary>
    internal static string Received(ReadOnlySpan<byte> bytes)
        => bytes.IsEmpty ? "nothing" : $"{bytes.Length} byte{(bytes.Length == 1 ? "" : "s")}: {HexBytes.Format(bytes)}";
}

/// <summary>A reply of the expected shape arrived but its CRC was wrong.</summary>
public sealed class RtuCrcException : RtuException
{
    /// <param name="received">Every byte that came in the attempt, the bad frame among them.</param>
    public RtuCrcException(byte address, ReadOnlySpan<byte> received)
        : base($"CRC error in the reply from address {address}; received {RtuTimeoutException.Received(received)}")
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
