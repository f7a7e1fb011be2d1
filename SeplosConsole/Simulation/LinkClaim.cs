using System.Net.Sockets;
using System.Text;

namespace SeplosConsole.Simulation;

/// <summary>
/// Marks a link path as served by a live simulator, so a second <c>seplos simulate --link</c> on
/// the same path refuses instead of taking the link over (and deleting it on exit under the first
/// one's clients). The mark is a Linux abstract Unix socket named after the path: it needs no file,
/// and the kernel drops it when the process ends, however it ends, so a crashed simulator never
/// leaves a stale claim. Off Linux it claims nothing. The claim also owns the link itself:
/// <see cref="PointAt"/> makes it, <see cref="Dispose"/> removes it and only then gives the claim up,
/// so the next simulator or replay can make its own. Not thread-safe: one host uses it.
/// </summary>
internal sealed class LinkClaim : IDisposable
{
    private readonly Socket? _socket;
    private readonly string _linkPath;
    private bool _linked;

    private LinkClaim(Socket? socket, string linkPath)
    {
        _socket = socket;
        _linkPath = linkPath;
    }

    /// <summary>Claims <paramref name="linkPath"/>; throws <see cref="IOException"/> when a live simulator has it.</summary>
    public static LinkClaim Take(string linkPath)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new LinkClaim(null, linkPath);
        }
        // Abstract names are limited to 107 bytes: name the claim by a hash of the full path. Not a
        // cryptographic one: .NET's hashes load OpenSSL, which a minimal Pi (and the arm64 check
        // under qemu) does not have, and the simulator aborted there (CI, issue 14).
        var hash = StableHash(Encoding.UTF8.GetBytes(Path.GetFullPath(linkPath))).ToString("X16", System.Globalization.CultureInfo.InvariantCulture);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint($"\0seplos-simulate-{hash}"));
            return new LinkClaim(socket, linkPath);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new IOException("a live simulator serves it already (another `seplos simulate --link`); stop that one or choose another path", ex);
        }
    }

    /// <summary>Points the claimed path at <paramref name="slavePath"/> (again after a replug); see <see cref="Relink"/>.</summary>
    public void PointAt(string slavePath)
    {
        Relink(_linkPath, slavePath);
        _linked = true;
    }

    /// <summary>Removes the link this claim made, then gives the path up.</summary>
    public void Dispose()
    {
        if (_linked)
        {
            RemoveLink(_linkPath);
        }
        _socket?.Dispose();
    }

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

    /// <summary>Points <paramref name="linkPath"/> at the slave; replaces a symlink, never a regular file.</summary>
    private static void Relink(string linkPath, string slavePath)
    {
        var existing = new FileInfo(linkPath);
        if (existing.LinkTarget is null && (existing.Exists || Directory.Exists(linkPath)))
        {
            throw new IOException($"{linkPath} exists and is not a symbolic link; refusing to replace it");
        }
        // Make the new link beside it and rename it over the old one, so that the path never
        // disappears for a client that is reopening it.
        var temporary = $"{linkPath}.{Environment.ProcessId}.tmp";
        if (new FileInfo(temporary).LinkTarget is not null)
        {
            File.Delete(temporary);
        }
        File.CreateSymbolicLink(temporary, slavePath);
        File.Move(temporary, linkPath, overwrite: true);
    }

    private static void RemoveLink(string linkPath)
    {
        try
        {
            if (new FileInfo(linkPath).LinkTarget is not null)
            {
                File.Delete(linkPath);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort on the way out: a link left behind is replaced by the next run (see Relink),
            // and failing here would hide why the simulator stopped.
        }
    }
}
