using System.Threading.Channels;
using SeplosConsole.Transport;

namespace SeplosConsole.Tests.Protocol;

/// <summary>
/// A bus for tests: each write of a request makes the scripted chunks arrive, as a serial
/// adapter would hand them over. Reads wait (honouring cancellation) when nothing is left,
/// so a missing or truncated reply runs into the client's timeout. Not thread-safe, like a port.
/// </summary>
internal sealed class ScriptedBusTransport : IBusTransport
{
    private readonly Func<byte[], int, IEnumerable<byte[]>> _script;
    private readonly Channel<byte[]> _incoming = Channel.CreateUnbounded<byte[]>();
    private byte[] _current = [];
    private int _currentAt;

    /// <param name="script">Given the request bytes and the attempt number (0 first), the chunks that arrive.</param>
    public ScriptedBusTransport(Func<byte[], int, IEnumerable<byte[]>> script)
    {
        _script = script;
    }

    public int Writes { get; private set; }
    public string Name => "scripted";
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

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        foreach (var chunk in _script(data.ToArray(), Writes))
        {
            if (chunk.Length > 0)
            {
                _incoming.Writer.TryWrite(chunk);
            }
        }
        Writes++;
        return ValueTask.CompletedTask;
    }

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

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
