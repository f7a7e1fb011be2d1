using System.Diagnostics;

namespace SeplosConsole.Rtu;

/// <summary>
/// Waits of a few milliseconds that end within about a millisecond of their time without spinning.
/// <para>
/// Task.Delay follows the kernel's coarse clock, 4 ms steps on the target machines (platform notes:
/// Task.Delay(1) ≈ 4 ms), too coarse for the 2 ms silence between RTU frames; yielding in a loop
/// until the gap had passed met it, but kept the thread pool busy: 2–3 % of a core while the
/// dashboard polled (perf, issue 4). One background thread sleeps on a monitor until the earliest
/// deadline instead; a monitor wait wakes within ~0.1 ms of its time here.
/// </para>
/// </summary>
internal static class PreciseDelay
{
    private static readonly object Gate = new();
    private static readonly PriorityQueue<TaskCompletionSource, long> Due = new();
    private static Thread? _timer;

    /// <summary>
    /// Waits <paramref name="delay"/> on <paramref name="time"/>: on the system clock through the
    /// timer thread, on any other (a test's) with Task.Delay, since that clock decides when time passes.
    /// A delay of zero or less completes at once.
    /// </summary>
    public static Task WaitAsync(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (time == TimeProvider.System)
        {
            return WaitAsync(delay, cancellationToken);
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }
        return delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, time, cancellationToken);
    }

    public static Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }
        if (delay <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }
        // Continuations run on the pool, never on the timer thread (which holds the gate).
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deadline = Stopwatch.GetTimestamp() + (long)Math.Ceiling(delay.TotalSeconds * Stopwatch.Frequency);
        lock (Gate)
        {
            Due.Enqueue(done, deadline);
            if (_timer is null)
            {
                _timer = new Thread(RunTimer) { IsBackground = true, Name = "precise delay" };
                _timer.Start();
            }
            Monitor.Pulse(Gate);
        }
        // A cancelled wait ends at once; its entry completes unobserved at its deadline.
        return cancellationToken.CanBeCanceled ? done.Task.WaitAsync(cancellationToken) : done.Task;
    }

    private static void RunTimer()
    {
        lock (Gate)
        {
            while (true)
            {
                if (!Due.TryPeek(out var waiter, out var deadline))
                {
                    Monitor.Wait(Gate);
                    continue;
                }
                var remaining = deadline - Stopwatch.GetTimestamp();
                if (remaining <= 0)
                {
                    Due.Dequeue();
                    waiter.TrySetResult();
                    continue;
                }
                // Whole milliseconds, rounded up: at most one late, never early.
                Monitor.Wait(Gate, (int)Math.Ceiling(remaining * 1000.0 / Stopwatch.Frequency));
            }
        }
    }
}
