using System.Net.Sockets;
using System.Text;

namespace SeplosConsole.Hosting;

/// <summary>
/// The sd_notify protocol (sd_notify(3)): one datagram of <c>KEY=VALUE</c> lines to the Unix socket
/// named by NOTIFY_SOCKET, a path or, when it starts with '@', a name in the abstract namespace.
/// Written here rather than taken from Microsoft.Extensions.Hosting.Systemd: that package brings the
/// generic host, dependency injection and logging for one datagram, and sends no watchdog pings of
/// its own. Thread-safe: each <see cref="Notify"/> is one send on one socket.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endPoint;

    private SystemdNotifier(UnixDomainSocketEndPoint endPoint, TimeSpan? watchdogInterval, string address)
    {
        _endPoint = endPoint;
        WatchdogInterval = watchdogInterval;
        Address = address;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>NOTIFY_SOCKET as systemd gave it.</summary>
    public string Address { get; }

    /// <summary>
    /// How often systemd wants WATCHDOG=1 (WatchdogSec=, passed as WATCHDOG_USEC); null when the unit
    /// has no watchdog, or WATCHDOG_PID names another process (the variable was inherited).
    /// </summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>
    /// The notifier systemd asked for through the environment, or null when the program does not
    /// run under a Type=notify unit (no NOTIFY_SOCKET). Throws <see cref="ArgumentException"/> for a
    /// NOTIFY_SOCKET it cannot use (vsock addresses, relative paths).
    /// </summary>
    public static SystemdNotifier? FromEnvironment(Func<string, string?>? environment = null, int? processId = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var address = environment("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(address))
        {
            return null;
        }
        UnixDomainSocketEndPoint endPoint = address[0] switch
        {
            // A leading NUL byte is how the kernel (and .NET) name an abstract socket.
            '@' => new UnixDomainSocketEndPoint("\0" + address[1..]),
            '/' => new UnixDomainSocketEndPoint(address),
            _ => throw new ArgumentException($"NOTIFY_SOCKET={address} is neither an absolute path nor an abstract (@) name; readiness and watchdog cannot be reported"),
        };
        return new SystemdNotifier(endPoint, WatchdogFrom(environment, processId ?? Environment.ProcessId), address);
    }

    private static TimeSpan? WatchdogFrom(Func<string, string?> environment, int processId)
    {
        if (!long.TryParse(environment("WATCHDOG_USEC"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var microseconds) || microseconds <= 0)
        {
            return null;
        }
        // sd_watchdog_enabled(3): WATCHDOG_PID, when set, says which process the watchdog is meant for.
        if (environment("WATCHDOG_PID") is { Length: > 0 } pid && pid != processId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return null;
        }
        return TimeSpan.FromMicroseconds(microseconds);
    }

    /// <summary>
    /// Sends <paramref name="state"/> (e.g. "READY=1", "WATCHDOG=1", "STATUS=…"). Returns the
    /// error instead of throwing: a service whose manager went away must go on doing its job.
    /// </summary>
    public string? Notify(string state)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endPoint);
            return null;
        }
        catch (SocketException ex)
        {
            return $"sd_notify to {Address} failed: {ex.Message}";
        }
        catch (ObjectDisposedException)
        {
            return "sd_notify after the notifier was closed";
        }
    }

    public void Dispose() => _socket.Dispose();
}
