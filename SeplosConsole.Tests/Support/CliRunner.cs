using SeplosConsole.Cli;

namespace SeplosConsole.Tests.Support;

/// <summary>Runs the real command line in process and captures what it prints.</summary>
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
