namespace SeplosConsole.Transport;

/// <summary>
/// The bytes of one RS485 bus: a serial adapter, a TCP gateway or the in-process simulator.
/// Not thread-safe: one RTU client owns it and serialises access.
/// Failures of the link itself throw <see cref="TransportException"/>.
/// </summary>
public interface IBusTransport : IAsyncDisposable
{
    /// <summary>What the user typed to reach it (a device path, tcp://host:port, sim).</summary>
    string Name { get; }

    /// <summary>Bits per second on the wire, when known (null for a TCP gateway).</summary>
    int? BaudRate { get; }

    bool IsOpen { get; }

    /// <summary>
    /// True when a link just opened cannot deliver anything sent before it was opened, so the
    /// first request may go at once. A serial port or a gateway may still be carrying the answer
    /// to another program's request, and the client listens for silence first (RtuClientOptions.SettleQuiet).
    /// </summary>
    bool OpensQuiet => false;

    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>Closes the link; safe to call on a broken or closed link, never blocks for long.</summary>
    Task CloseAsync();

    /// <summary>Drops whatever arrived before the next request (stale replies, line noise).</summary>
    void DiscardInput();

    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Reads at least one byte; waits until data, cancellation or a link failure.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}
