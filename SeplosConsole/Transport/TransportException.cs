namespace SeplosConsole.Transport;

/// <summary>
/// Base of every failure on the bus that is not a Modbus exception reply: the link itself
/// (<see cref="TransportException"/>) or what came over it (the RTU layer's time-outs, CRC errors
/// and mismatches derive from it too). Lives in the lowest layer so the dependency goes one way:
/// Rtu knows Transport, Transport knows nothing above it.
/// </summary>
public abstract class BusException : Exception
{
    protected BusException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The link (serial port, TCP gateway, simulator) is gone, busy or cannot be opened.</summary>
public sealed class TransportException : BusException
{
    public TransportException(string message, Exception? inner = null) : base(message, inner) { }
}
