using System.IO.Ports;

namespace SeplosConsole.Transport;

/// <summary>
/// A USB–RS485 adapter (or any tty) through System.IO.Ports. The only class that touches
/// SerialPort. Linux behaviour it works around is measured in the platform notes:
/// ReadAsync ignores ReadTimeout (we always pass a token), Open() keeps stale input
/// (we discard it), and Close() hangs after a failed write unless BaseStream is disposed first.
/// </summary>
public sealed class SerialPortTransport : IBusTransport
{
    private readonly SerialLineSettings _settings;
    private SerialPort? _port;
    private Stream? _stream;
    private DeviceLock? _lock;

    public SerialPortTransport(string path, SerialLineSettings settings)
    {
        Name = path;
        _settings = settings;
    }

    public string Name { get; }
    public int? BaudRate => _settings.BaudRate;
    public bool IsOpen => _stream is not null;

    public Task OpenAsync(CancellationToken cancellationToken)
    {
        if (_stream is not null)
        {
            return Task.CompletedTask;
        }
        if (!File.Exists(Name))
        {
            throw new TransportException($"serial port {Name} does not exist (is the adapter plugged in? try --simulate to run without hardware)");
        }
        // First the lock: a port another program has is reported busy before we touch its settings.
        var deviceLock = DeviceLock.Acquire(Name);
        var port = new SerialPort(Name, _settings.BaudRate, _settings.Parity, _settings.DataBits, _settings.StopBits)
        {
            Handshake = Handshake.None,
            ReadTimeout = SerialPort.InfiniteTimeout,
            WriteTimeout = 1000,
        };
        try
        {
            port.Open();
        }
        catch (UnauthorizedAccessException ex)
        {
            port.Dispose();
            deviceLock?.Dispose();
            // Every failed Open() on Linux is "access denied"; the inner errno tells more (platform notes).
            var errno = ex.InnerException?.HResult;
            var reason = errno switch
            {
                13 => $"permission denied on {Name} (add your user to the dialout group: sudo usermod -aG dialout $USER, then log in again)",
                16 => $"{Name} is busy: another program has it open; only one program may use a port at a time",
                25 => $"{Name} is not a serial port",
                21 => $"{Name} is a directory, not a serial port",
                2 => $"serial port {Name} does not exist",
                _ => $"cannot open {Name}: access denied (check that it is a serial port and that you are in the dialout group)",
            };
            throw new TransportException(reason, ex);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            deviceLock?.Dispose();
            throw new TransportException($"cannot open {Name}: {ex.Message}", ex);
        }
        port.DiscardInBuffer();
        _lock = deviceLock;
        _port = port;
        _stream = port.BaseStream;
        return Task.CompletedTask;
    }

    public Task CloseAsync()
    {
        var port = _port;
        var stream = _stream;
        var deviceLock = _lock;
        _port = null;
        _stream = null;
        _lock = null;
        if (port is null)
        {
            return Task.CompletedTask;
        }
        // Dispose the stream first: Close() alone hangs forever after a write on a dead port.
        try { stream?.Dispose(); } catch (IOException) { } catch (ObjectDisposedException) { }
        try { port.Close(); } catch (IOException) { } catch (ObjectDisposedException) { }
        port.Dispose();
        // Released last: nobody else gets the port while we still have it.
        deviceLock?.Dispose();
        return Task.CompletedTask;
    }

    public void DiscardInput()
    {
        try
        {
            // Once the other side is gone, IsOpen still says true and a read may just time out,
            // but BytesToRead turns -1 (platform notes): a cheap check before every request, so an
            // unplug shows as a lost link, not as packs that stopped answering.
            if (_port is { BytesToRead: < 0 })
            {
                throw Lost(null);
            }
            _port?.DiscardInBuffer();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            throw Lost(ex);
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var stream = _stream ?? throw new TransportException($"{Name} is not open");
        try
        {
            await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or TimeoutException)
        {
            throw Lost(ex);
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var stream = _stream ?? throw new TransportException($"{Name} is not open");
        try
        {
            var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return read > 0 ? read : throw Lost(null);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            throw Lost(ex);
        }
    }

    public ValueTask DisposeAsync() => new(CloseAsync());

    private TransportException Lost(Exception? ex)
    {
        // The adapter is gone (unplugged) or the other end closed; the next request reopens it.
        _ = CloseAsync();
        return new TransportException($"lost the connection to {Name}" + (ex is null ? "" : $": {ex.Message}"), ex);
    }
}

/// <summary>Line settings; the Seplos V3 uses 19200 8N1 (register reference, "Link").</summary>
public sealed record SerialLineSettings(int BaudRate = 19200, Parity Parity = Parity.None, int DataBits = 8, StopBits StopBits = StopBits.One)
{
    public static SerialLineSettings SeplosDefault { get; } = new();

    /// <summary>Bits on the wire per byte: start + data + parity + stop.</summary>
    public int BitsPerByte => 1 + DataBits + (Parity == Parity.None ? 0 : 1) + (StopBits == StopBits.Two ? 2 : 1);

    /// <summary>
    /// Time <paramref name="bytes"/> take on the wire back to back. The one place the rule lives,
    /// so the simulator's pacing and the bench's theory cannot drift apart.
    /// </summary>
    public TimeSpan WireTime(long bytes) => TimeSpan.FromSeconds(bytes * (double)BitsPerByte / BaudRate);
}
