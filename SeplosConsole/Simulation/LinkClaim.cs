using System.Net.Sockets;
using System.Text;

namespace SeplosConsole.Simulation;

/// <summary>
/// Marks a link path as served by a live simulator, so a second <c>seplos simulate --link</c> on
/// the same path refuses instead of taking the link over (and deleting it on exit under the first
/// one's clients). The mark is a Linux abstract Unix socket named after the path: it needs no file,
/// and the kernel drops it when the process ends, however it ends, so a crashed simulator never
/// leaves a stale claim. Off Linux it claims nothing.
/// </summary>
internal sealed class LinkClaim : IDisposable
{
    private readonly Socket? _socket;

    private LinkClaim(Socket? socket) => _socket = socket;

    /// <summary>Claims <paramref name="linkPath"/>; throws <see cref="IOException"/> when a live simulator has it.</summary>
    public static LinkClaim Take(string linkPath)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new LinkClaim(null);
        }
        // Abstract names are limited to 107 bytes: name the claim by a hash of the full path. Not a
        // cryptographic one: .NET's hashes load OpenSSL, which a minimal Pi (and the arm64 check
        // under qemu) does not have, and the simulator aborted there (CI, issue 14).
        var hash = StableHash(Encoding.UTF8.GetBytes(Path.GetFullPath(linkPath))).ToString("X16", System.Globalization.CultureInfo.InvariantCulture);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint($"\0seplos-simulate-{hash}"));
            return new LinkClaim(socket);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new IOException("a live simulator serves it already (another `seplos simulate --link`); stop that one or choose another path", ex);
        }
    }

    public void Dispose() => _socket?.Dispose();

    /// <summary>64-bit FNV-1a: the same for the same path in every process (string.GetHashCode is not).</summary>
    internal static ulong StableHash(ReadOnlySpan<byte> bytes)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }
}
