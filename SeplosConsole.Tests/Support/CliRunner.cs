using System.Diagnostics;
using SeplosConsole.Cli;

namespace SeplosConsole.Tests.Support;

/// <summary>Runs the real command line, in process or as a process of its own, and captures what it prints.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static Task<Result> RunAsync(string[] args, string? input = null, bool interactive = false, string? directory = null, TimeSpan? timeout = null)
        => RunAsync(args, new StringReader(input ?? ""), interactive, directory, timeout);

    public static async Task<Result> RunAsync(string[] args, TextReader input, bool interactive = false, string? directory = null, TimeSpan? timeout = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        // An empty folder: no seplos.ini from the developer's checkout leaks into a test.
        directory ??= TempDirectory.Create();
        var context = new CliContext(output, error, input, interactive, directory);
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var code = await SeplosCli.RunAsync(args, context, cancel.Token);
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs a long-lived command (mqtt, simulate) until <paramref name="stop"/> is cancelled, as Ctrl+C would.</summary>
    public static async Task<Result> RunUntilCancelledAsync(string[] args, string directory, CancellationToken stop)
    {
        var output = new SynchronizedStringWriter();
        var error = new SynchronizedStringWriter();
        var context = new CliContext(output, error, new StringReader(""), false, directory);
        var code = await Task.Run(() => SeplosCli.RunAsync(args, context, stop), CancellationToken.None);
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs <paramref name="program"/> as a process of its own and captures what it prints.</summary>
    public static async Task<Result> RunProcessAsync(SeplosProgram program, string[] args, string? directory = null, TimeSpan? timeout = null)
    {
        // An empty folder, as in process: no seplos.ini from the developer's checkout leaks in.
        await using var process = StartProcess(program, args, directory ?? TempDirectory.Create());
        return await process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts a long-lived command (mqtt, simulate) as a process of its own; it runs until stopped or disposed.</summary>
    public static ProgramProcess StartProcess(SeplosProgram program, string[] args, string directory)
        => ProgramProcess.Start(program.StartInfo(args, directory));

    /// <summary>A StringWriter that background tasks may write to at the same time.</summary>
    private sealed class SynchronizedStringWriter : StringWriter
    {
        private readonly Lock _lock = new();

        public override void Write(char value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_lock)
            {
                base.WriteLine(value);
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return base.ToString();
            }
        }
    }
}

/// <summary>
/// A process a test started (the program, or the build of it), what it prints captured, with an
/// empty stdin that is not a terminal (as under systemd or in a script).
/// </summary>
public sealed class ProgramProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;
    private readonly Task<string> _error;

    private ProgramProcess(Process process)
    {
        _process = process;
        // Read from the start: a full pipe would block the program.
        _output = process.StandardOutput.ReadToEndAsync();
        _error = process.StandardError.ReadToEndAsync();
    }

    public static ProgramProcess Start(ProcessStartInfo start)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        process.StandardInput.Close();
        return new ProgramProcess(process);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits for the program to end; kills it and fails with what it printed when it does not within <paramref name="timeout"/>.</summary>
    public async Task<CliRunner.Result> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            throw new TimeoutException($"{_process.StartInfo.FileName} did not end within {timeout.TotalSeconds} s; stdout:\n{await _output}\nstderr:\n{await _error}");
        }
        return new CliRunner.Result(_process.ExitCode, await _output, await _error);
    }

    /// <summary>Sends SIGTERM, as systemd stops a service, and waits for the program to end by itself.</summary>
    public async Task<CliRunner.Result> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            // .NET can only SIGKILL another process; the shell's kill sends SIGTERM.
            var kill = new ProcessStartInfo("sh") { ArgumentList = { "-c", "kill -TERM \"$1\"", "sh", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
            using var sender = Process.Start(kill) ?? throw new InvalidOperationException("sh did not start");
            await sender.WaitForExitAsync();
        }
        return await WaitForExitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

public static class TempDirectory
{
    public static string Create()
    {
        var path = Path.Combine(Path.GetTempPath(), "seplos-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}

public static class RepositoryRoot
{
    /// <summary>The checkout's top folder (where SeplosConsole.sln is), found from the test binaries.</summary>
    public static string Path
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "SeplosConsole.sln")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("SeplosConsole.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
