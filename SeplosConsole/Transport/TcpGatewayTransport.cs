using System.Net.Sockets;

namespace SeplosConsole.Transport;

/// <summary>
/// An RS485-to-Ethernet/WiFi gateway in transparent mode: raw RTU frames (with CRC) over TCP.
/// </summary>
public sealed class TcpGatewayTransport : IBusTransport
{
    private readonly string _host;
    private readonly int _port;
    private readonly TimeSpan _connectTimeout;
    private TcpClient? _client;
    private NetworkStream? _stream;

    public TcpGatewayTransport(string name, string host, int port, TimeSpan connectTimeout)
    {
        Name = name;
        _host = host;
        _port = port;
        _connectTimeout = connectTimeout;
    }

    public string Name { get; }
    public int? BaudRate => null;
    public bool IsOpen => _stream is not null;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (_stream is not null)
        {
            return;
        }
        var client = new TcpClient { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_connectTimeout);
        try
        {
            await client.ConnectAsync(_host, _port, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new TransportException($"no connection to gateway {_host}:{_port} within {_connectTimeout.TotalSeconds:0.#} s");
        }
        catch (SocketException ex)
        {
            client.Dispose();
            throw new TransportException($"cannot connect to gateway {_host}:{_port}: {ex.Message}", ex);
        }
        _client = client;
        _stream = client.GetStream();
    }

    public Task CloseAsync()
    {
        _stream?.Dispose();
        _client?.Dispose();
        _stream = null;
        _client = null;
        return Task.CompletedTask;
    }

    public void DiscardInput()
    {
        var stream = _stream;
        if (stream is null)
        {
            return;
        }
        Span<byte> scratch = stackalloc byte[256];
        try
        {
            while (stream.DataAvailable)
            {
                if (stream.Read(scratch) == 0)
                {
                    throw Lost(null);
                }
            }
        }
        catch (IOException ex)
        {
            throw Lost(ex);
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var stream = _stream ?? throw new TransportException($"{Name} is not connected");
        try
        {
            await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            throw Lost(ex);
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var stream = _stream ?? throw new TransportException($"{Name} is not connected");
        try
        {
            var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return read > 0 ? read : throw Lost(null);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            throw Lost(ex);
        }
    }

    public ValueTask DisposeAsync() => new(CloseAsync());

    private TransportException Lost(Exception? ex)
    {
        _ = CloseAsync();
        return new TransportException($"gateway {_host}:{_port} closed the connection" + (ex is null ? "" : $": {ex.Message}"), ex);
    }
}
