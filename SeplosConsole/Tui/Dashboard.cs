using SeplosConsole.Services;
using Terminal.Gui.App;
using Terminal.Gui.Drivers;

namespace SeplosConsole.Tui;

/// <summary>
/// Entry point for `seplos` and `seplos --simulate`: runs the dashboard on the terminal until the
/// user quits or <c>cancellationToken</c> fires. The caller owns the feed (starts and stops the poller).
/// </summary>
public static class Dashboard
{
    public const int ExitOk = 0;
    public const int ExitNoTerminal = 1;

    public const string NoTerminalMessage =
        "the dashboard needs a terminal; use `seplos all` or `seplos mqtt` for scripts/services";

    /// <param name="error">Where the no-terminal message goes; stderr when null.</param>
    public static async Task<int> RunAsync(IPackFeed feed, DashboardOptions options, CancellationToken cancellationToken, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(options);
        // Without a terminal Terminal.Gui runs headless forever (platform notes): refuse instead.
        if (!Driver.IsAttachedToTerminal(out _, out _))
        {
            await (error ?? Console.Error).WriteLineAsync(NoTerminalMessage).ConfigureAwait(false);
            return ExitNoTerminal;
        }

        var app = Application.Create();
        app.Init(options.Driver);
        // 25 iterations a second (the default) costs ~4 % of a Pi core while idle; 12 still answers a key
        // within ~80 ms, and values change at most twice a second.
        Application.MaximumIterationsPerSecond = 12;
        DashboardWindow? window = null;
        try
        {
            window = new DashboardWindow(app, feed, options);
            using var stop = cancellationToken.Register(() => PostStop(app, window));
            // A terminal that goes without SIGHUP (started with it ignored) ends the dashboard too.
            using var watching = new CancellationTokenSource();
            var hangup = Hosting.TerminalHangup.WatchAsync(() => PostStop(app, window), TimeSpan.FromSeconds(1), watching.Token);
            try
            {
                // Handler exceptions are caught inside the window; anything else is shown in the log and the loop goes on.
                app.Run(window, ex =>
                {
                    window.Log.Append($"error: {ex.GetType().Name}: {ex.Message}");
                    return true;
                });
            }
            finally
            {
                // However the loop ended, the watch ends with it (it would otherwise poll the terminal until exit).
                await watching.CancelAsync().ConfigureAwait(false);
                await hangup.ConfigureAwait(false);
            }
        }
        finally
        {
            var idle = window?.WhenIdle() ?? Task.CompletedTask;
            // Stop listening and cancel edits in flight before the application goes (Invoke would throw).
            window?.Dispose();
            try
            {
                await idle.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                // An edit still waiting on the bus is abandoned; the poller reports its end.
            }
            await DisposeWithinAsync(app, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        return ExitOk;
    }

    /// <summary>
    /// Terminal.Gui 2.5.0's Dispose waits for its input thread, which can spin forever on a terminal
    /// that has gone (SSH dropped, SIGHUP; seen here with tmux kill-server). The terminal is restored
    /// before that wait when it still exists; past the limit the process ends without it.
    /// </summary>
    private static async Task DisposeWithinAsync(IApplication app, TimeSpan limit)
    {
        var dispose = Task.Run(app.Dispose);
        try
        {
            await dispose.WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Leave it: the input thread is a pool (background) thread and does not keep the process alive.
        }
    }

    private static void PostStop(IApplication app, DashboardWindow window)
    {
        try
        {
            // The window, not whatever is on top: an open confirmation is cancelled, then the window ends.
            app.Invoke(window.RequestQuit);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            // Already stopped.
        }
    }
}
