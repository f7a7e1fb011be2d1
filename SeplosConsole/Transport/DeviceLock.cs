using System.Runtime.InteropServices;

namespace SeplosConsole.Transport;

/// <summary>
/// An exclusive advisory lock (<c>flock</c>) on a serial device, held while the port is open, as
/// pyserial's <c>exclusive=True</c> takes it: a second program that asks, root or not, is told the
/// port is busy at once. Without it a second Open() succeeds as root and both programs talk over
/// each other (platform notes: "As root a second Open() of the same port succeeds"). The lock is
/// taken on a descriptor of our own before SerialPort opens the device, so a busy port is never
/// touched (its line settings are left alone). Linux only; elsewhere it does nothing.
/// Not thread-safe; one transport owns it.
/// </summary>
internal sealed partial class DeviceLock : IDisposable
{
    // <fcntl.h> and <sys/file.h> on Linux (the same on x86-64 and arm64).
    private const int ReadOnly = 0, NoControllingTerminal = 0x100, NonBlocking = 0x800, CloseOnExec = 0x80000;
    private const int LockExclusive = 2, LockNonBlocking = 4;
    private const int WouldBlock = 11; // EWOULDBLOCK = EAGAIN
    private const int Interrupted = 4;

    private int _descriptor;

    private DeviceLock(int descriptor) => _descriptor = descriptor;

    /// <summary>
    /// Takes the lock on <paramref name="path"/>. Null when the device cannot be opened for it
    /// (missing, no permission: SerialPort's own open then reports why) or off Linux. Throws
    /// <see cref="TransportException"/> when another program holds it.
    /// </summary>
    public static DeviceLock? Acquire(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        var descriptor = open(path, ReadOnly | NoControllingTerminal | NonBlocking | CloseOnExec);
        if (descriptor < 0)
        {
            return null;
        }
        int result;
        do
        {
            result = flock(descriptor, LockExclusive | LockNonBlocking);
        }
        while (result != 0 && Marshal.GetLastPInvokeError() == Interrupted);
        if (result == 0)
        {
            return new DeviceLock(descriptor);
        }
        var errno = Marshal.GetLastPInvokeError();
        _ = close(descriptor);
        if (errno == WouldBlock)
        {
            throw new TransportException($"{path} is busy: another program has it open (another seplos, the vendor software or a script); only one program may use a port at a time");
        }
        // A file system without flock: carry on unlocked, as before.
        return null;
    }

    public void Dispose()
    {
        var descriptor = Interlocked.Exchange(ref _descriptor, -1);
        if (descriptor >= 0)
        {
            // Closing the last descriptor of the open file releases the lock.
            _ = close(descriptor);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int descriptor, int operation);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int descriptor);
}
