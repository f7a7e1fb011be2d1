using System.Diagnostics;

namespace SeplosConsole.Tests.Support;

/// <summary>
/// A real terminal for end-to-end checks of what a person sees: a private tmux server running one
/// program, keys sent with send-keys, the screen read with capture-pane.
/// </summary>
public sealed class Tmux : IAsyncDisposable
{
    private readonly string _socket = "seplos-test-" + Guid.NewGuid().ToString("N")[..8];

    private Tmux()
    {
    }

    public static async Task<Tmux> StartAsync(string command, int width, int height)
    {
        var tmux = new Tmux();
        // remain-on-exit keeps the pane after the program ends, so its last screen can be read.
        await tmux.RunAsync("new-session", "-d", "-s", "main", "-x", width.ToString(), "-y", height.ToString(), command);
        await tmux.RunAsync("set-option", "-t", "main", "remain-on-exit", "on");
        return tmux;
    }

    public async Task<string> ScreenAsync() => await RunAsync("capture-pane", "-p", "-t", "main");

    public Task SendKeysAsync(params string[] keys) => RunAsync(["send-keys", "-t", "main", .. keys]);

    /// <summary>Typed as text, not key names.</summary>
    public Task TypeAsync(string text) => RunAsync("send-keys", "-t", "main", "-l", text);

    /// <summary>Waits until the screen satisfies <paramref name="condition"/>; fails with the last screen.</summary>
    public async Task<string> WaitForScreenAsync(Func<string, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        string screen;
        do
        {
            screen = await ScreenAsync();
            if (condition(screen))
            {
                return screen;
            }
            // Polling a terminal that another process draws: there is no event to await.
            await Task.Delay(100);
        }
        while (deadline.Elapsed < limit);
        throw new TimeoutException($"no {what} on screen within {limit.TotalSeconds} s; last screen:\n{screen}");
    }

    /// <summary>The process in the pane (the program itself when the command used exec).</summary>
    public async Task<int> PanePidAsync() => int.Parse((await RunAsync("display-message", "-p", "-t", "main", "#{pane_pid}")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Ends the terminal the way a dropped SSH session does: the program gets SIGHUP.</summary>
    public Task KillServerAsync() => RunAsync("kill-server");

    private async Task<string> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_socket);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("tmux is needed for the end-to-end dashboard test: apt-get install tmux (.ci/run does)", ex);
        }
        using (process)
        {
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0 ? output : throw new InvalidOperationException($"tmux {string.Join(' ', args)}: {error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("kill-server");
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}

public static class Files
{
    /// <summary>Waits until another process has written a non-empty file.</summary>
    public static async Task<string> WaitForContentAsync(string path, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (File.Exists(path) && await File.ReadAllTextAsync(path) is { Length: > 0 } text && text.EndsWith('\n'))
            {
                return text;
            }
            // Another process writes it: there is no event to await.
            await Task.Delay(50);
        }
        throw new TimeoutException($"{path} was not written within {timeout.TotalSeconds} s");
    }
}
