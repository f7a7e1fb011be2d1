using System.Runtime.InteropServices;

namespace SeplosConsole.Hosting;

/// <summary>
/// Notices that the controlling terminal has gone although no SIGHUP came (the program was started
/// with SIGHUP ignored, as <c>nohup</c> or some session managers do, and the SSH session or tmux
/// server then died). Terminal.Gui's input thread spins on such a terminal — about half a core,
/// measured with tmux killed under <c>trap '' HUP</c> — so the dashboard must end instead.
/// A hung-up tty reports POLLHUP to poll(2) with no events asked for; checking once a second costs nothing.
/// </summary>
public static partial class TerminalHangup
{
    private const int StandardInput = 0;
    // <poll.h>, the same on Linux x86-64, arm and arm64 and on macOS.
    private const short PollError = 0x008;
    private const short PollHangup = 0x010;
    private const short PollInvalid = 0x020;

    /// <summary>Calls <paramref name="hungUp"/> once when standard input's terminal hangs up; returns at once when it is no terminal.</summary>
    public static async Task WatchAsync(Action hungUp, TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hungUp);
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) || isatty(StandardInput) != 1)
        {
            return;
        }
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (HasHungUp(StandardInput))
                {
                    hungUp();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The dashboard ended first.
        }
    }

    /// <summary>Whether the terminal on <paramref name="descriptor"/> has hung up (or the descriptor is no longer valid).</summary>
    public static bool HasHungUp(int descriptor)
    {
        var entry = new PollEntry { Descriptor = descriptor };
        return Poll(ref entry, 1, 0) > 0 && (entry.ReturnedEvents & (PollHangup | PollError | PollInvalid)) != 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollEntry
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", EntryPoint = "poll")]
    private static partial int Poll(ref PollEntry entries, nuint count, int timeout);

    [LibraryImport("libc")]
    private static partial int isatty(int descriptor);
}
