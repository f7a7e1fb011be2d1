using System.Net.Sockets;
using System.Text;

namespace SeplosConsole.Tests.Support;

/// <summary>
/// What systemd listens on for sd_notify: a Unix datagram socket, bound to a file path or to an
/// abstract name. Collects every datagram; tests await the ones they expect.
/// </summary>
public sealed class NotifySocket : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<string> _messages = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private readonly string? _file;
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NotifySocket(string address, UnixDomainSocketEndPoint endPoint, string? file)
    {
        Address = address;
        _file = file;
        _socket.Bind(endPoint);
        _receiving = Task.Run(ReceiveAsync);
    }

    /// <summary>The value for NOTIFY_SOCKET.</summary>
    public string Address { get; }

    /// <summary>A socket file in a folder of its own.</summary>
    public static NotifySocket AtPath()
    {
        var file = Path.Combine(TempDirectory.Create(), "notify");
        return new NotifySocket(file, new UnixDomainSocketEndPoint(file), file);
    }

    /// <summary>A name in the abstract namespace ("@name" in NOTIFY_SOCKET).</summary>
    public static NotifySocket Abstract()
    {
        var name = "seplos-test-" + Guid.NewGuid().ToString("N");
        return new NotifySocket("@" + name, new UnixDomainSocketEndPoint("\0" + name), null);
    }

    /// <summary>Index the next datagram will get: "after this point".</summary>
    public int Mark => Messages.Count;

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Waits for a datagram at index <paramref name="after"/> or later that <paramref name="match"/> accepts; returns its index.</summary>
    public async Task<int> WaitForAsync(Func<string, bool> match, string what, int after = 0, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            Task arrived;
            lock (_messages)
            {
                for (var i = after; i < _messages.Count; i++)
                {
                    if (match(_messages[i]))
                    {
                        return i;
                    }
                }
                arrived = _arrived.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No sd_notify datagram {what} after #{after} within {(timeout ?? DefaultTimeout).TotalSeconds} s. Received:\n  " + string.Join("\n  ", Messages));
            }
            await Task.WhenAny(arrived, Task.Delay(left));
        }
    }

    public Task<int> WaitForAsync(string datagram, int after = 0, TimeSpan? timeout = null)
        => WaitForAsync(m => m == datagram, datagram, after, timeout);

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            lock (_messages)
            {
                _messages.Add(Encoding.UTF8.GetString(buffer, 0, length));
                var arrived = _arrived;
                _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                arrived.TrySetResult();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _receiving;
        _socket.Dispose();
        _stop.Dispose();
        if (_file is not null)
        {
            File.Delete(_file);
        }
    }
}
