using System.Runtime.InteropServices;

namespace SeplosConsole.Simulation;

/// <summary>
/// A Linux pseudo-terminal pair made with libc (posix_openpt, grantpt, unlockpt, ptsname_r).
/// The slave path behaves like a serial port for System.IO.Ports; the simulator reads and writes
/// the master side. The only class with P/Invoke in the simulator. Facts it relies on are in the
/// platform notes: raw mode on the slave so binary passes unchanged, and an fd kept open on the
/// slave so the master does not fail with EIO while the client has the port closed.
/// </summary>
public sealed partial class PseudoTerminal : IDisposable
{
    // <fcntl.h> and <poll.h> values, the same on Linux x86-64, arm and arm64.
    private const int OpenReadWrite = 0x2;        // O_RDWR
    private const int OpenNoControllingTty = 0x100; // O_NOCTTY
    private const int OpenCloseOnExec = 0x80000;  // O_CLOEXEC
    private const short PollIn = 0x1;             // POLLIN
    private const short PollError = 0x8 | 0x10 | 0x20; // POLLERR | POLLHUP | POLLNVAL
    private const int SetNow = 0;                 // TCSANOW
    private const int InterruptedCall = 4;        // EINTR
    private const int TryAgain = 11;              // EAGAIN
    private const nuint BytesReadable = 0x541B;   // FIONREAD (<asm-generic/ioctls.h>, also on arm and arm64)
    // glibc's struct termios is 60 bytes; it is only passed through cfmakeraw, so a larger
    // opaque buffer keeps this independent of the exact layout.
    private const int TermiosBufferSize = 256;

    private int _master;
    private int _slaveKeeper;

    private PseudoTerminal(int master, int slaveKeeper, string slavePath)
    {
        _master = master;
        _slaveKeeper = slaveKeeper;
        SlavePath = slavePath;
    }

    /// <summary>The device a client opens as its serial port (/dev/pts/N).</summary>
    public string SlavePath { get; }

    /// <summary>Creates a pair with the slave in raw mode.</summary>
    public static unsafe PseudoTerminal Open()
    {
        var master = posix_openpt(OpenReadWrite | OpenNoControllingTty | OpenCloseOnExec);
        if (master < 0)
        {
            throw Failure("posix_openpt");
        }
        var slave = -1;
        try
        {
            if (grantpt(master) != 0)
            {
                throw Failure("grantpt");
            }
            if (unlockpt(master) != 0)
            {
                throw Failure("unlockpt");
            }
            var name = stackalloc byte[256];
            var error = ptsname_r(master, name, 256);
            if (error != 0)
            {
                throw new IOException($"ptsname_r failed: errno {error}");
            }
            var slavePath = Marshal.PtrToStringUTF8((nint)name) ?? throw new IOException("ptsname_r gave no name");

            // Keep the slave open ourselves: without it the master fails with EIO as soon as a
            // client closes the port (platform notes).
            slave = open(slavePath, OpenReadWrite | OpenNoControllingTty | OpenCloseOnExec);
            if (slave < 0)
            {
                throw Failure($"open {slavePath}");
            }
            var termios = stackalloc byte[TermiosBufferSize];
            if (tcgetattr(slave, termios) != 0)
            {
                throw Failure("tcgetattr");
            }
            cfmakeraw(termios);
            if (tcsetattr(slave, SetNow, termios) != 0)
            {
                throw Failure("tcsetattr");
            }
            return new PseudoTerminal(master, slave, slavePath);
        }
        catch
        {
            if (slave >= 0)
            {
                _ = close(slave);
            }
            _ = close(master);
            throw;
        }
    }

    /// <summary>
    /// Reads what the client wrote, waiting at most <paramref name="timeout"/>; 0 when nothing came.
    /// Blocks the calling thread (call it from a dedicated loop).
    /// </summary>
    public unsafe int Read(Span<byte> buffer, TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_master < 0, this);
        var poll = new PollDescriptor { Descriptor = _master, Events = PollIn };
        var ready = Poll(&poll, 1, (int)timeout.TotalMilliseconds);
        if (ready < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == InterruptedCall ? 0 : throw new IOException($"poll on the pty master failed: errno {errno}");
        }
        if (ready == 0 || (poll.ReturnedEvents & PollIn) == 0)
        {
            if ((poll.ReturnedEvents & PollError) != 0)
            {
                throw new IOException($"the pty master reports an error (poll events 0x{poll.ReturnedEvents:X})");
            }
            return 0;
        }
        fixed (byte* target = buffer)
        {
            var count = read(_master, target, buffer.Length);
            if (count < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return errno is InterruptedCall or TryAgain ? 0 : throw new IOException($"read from the pty master failed: errno {errno}");
            }
            return (int)count;
        }
    }

    /// <summary>Sends bytes to the client (they wait in the pty until it reads them).</summary>
    public unsafe void Write(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_master < 0, this);
        fixed (byte* source = data)
        {
            var written = 0;
            while (written < data.Length)
            {
                var count = write(_master, source + written, data.Length - written);
                if (count < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is InterruptedCall or TryAgain)
                    {
                        continue;
                    }
                    throw new IOException($"write to the pty master failed: errno {errno}");
                }
                written += (int)count;
            }
        }
    }

    /// <summary>
    /// Bytes written to the client that it has not read yet (FIONREAD on our own slave fd). They
    /// pile up while no program has the port open, and once the pty buffer is full a write blocks.
    /// </summary>
    public unsafe int PendingForClient
    {
        get
        {
            ObjectDisposedException.ThrowIf(_slaveKeeper < 0, this);
            var count = 0;
            return ioctl(_slaveKeeper, BytesReadable, &count) == 0 ? count : throw Failure("ioctl FIONREAD");
        }
    }

    /// <summary>Closes both ends we hold: a client on the slave then sees the line hang up.</summary>
    public void Dispose()
    {
        if (_master >= 0)
        {
            _ = close(_master);
            _master = -1;
        }
        if (_slaveKeeper >= 0)
        {
            _ = close(_slaveKeeper);
            _slaveKeeper = -1;
        }
    }

    private static IOException Failure(string call) => new($"{call} failed: errno {Marshal.GetLastPInvokeError()}");

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int posix_openpt(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int grantpt(int descriptor);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unlockpt(int descriptor);

    [LibraryImport("libc")]
    private static unsafe partial int ptsname_r(int descriptor, byte* buffer, nuint length);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int descriptor);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint read(int descriptor, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(int descriptor, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollDescriptor* descriptors, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int ioctl(int descriptor, nuint request, int* value);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int tcgetattr(int descriptor, byte* termios);

    [LibraryImport("libc")]
    private static unsafe partial void cfmakeraw(byte* termios);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int tcsetattr(int descriptor, int when, byte* termios);
}
