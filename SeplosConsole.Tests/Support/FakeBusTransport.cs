using System.Threading.Channels;
using SeplosConsole.Transport;

namespace SeplosConsole.Tests.Support;

/// <summary>
/// The line side of a fake bus for tests. A subclass answers each request written to it by putting
/// bytes on the line with <see cref="Arrive"/>; reads hand them over in the chunks they arrived in,
/// as a serial adapter would, and wait (honouring cancellation) when nothing is left, so a missing
/// or truncated reply runs into the client's timeout. Not thread-safe, like a port.
/// </summary>
public abstract class FakeBusTransport : IBusTransport
{
    private readonly Channel<byte[]> _incoming = Channel.CreateUnbounded<byte[]>();
    private byte[] _current = [];
    private int _currentAt;

    public abstract string Name { get; }
    public int? BaudRate => null;
    public bool IsOpen { get; private set; }

    public Task OpenAsync(CancellationToken cancellationToken)
    {
        IsOpen = true;
        return Task.CompletedTask;
    }

    public Task CloseAsync()
    {
        IsOpen = false;
        return Task.CompletedTask;
    }

    public void DiscardInput()
    {
        while (_incoming.Reader.TryRead(out _))
        {
        }
        _current = [];
        _currentAt = 0;
    }

    public abstract ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_currentAt == _current.Length)
        {
            _current = await _incoming.Reader.ReadAsync(cancellationToken);
            _currentAt = 0;
        }
        var count = Math.Min(buffer.Length, _current.Length - _currentAt);
        _current.AsMemory(_currentAt, count).CopyTo(buffer);
        _currentAt += count;
        return count;
    }

    public ValueTask DisposeAsync()
    {
        // Nothing to release here; a subclass is not sealed, so the dispose pattern asks for this (CA1816).
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Puts <paramref name="chunk"/> on the line, after whatever is there and not read yet.</summary>
    protected void Arrive(byte[] chunk)
    {
        // An empty chunk would make a read return 0 bytes, which a port never does.
        if (chunk.Length > 0)
        {
            _incoming.Writer.TryWrite(chunk);
        }
    }
}
