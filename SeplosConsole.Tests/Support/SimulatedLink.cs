using System.Diagnostics;
using SeplosConsole.Simulation;

namespace SeplosConsole.Tests.Support;

/// <summary>
/// The product's simulator on a real pseudo-terminal behind a symlink, as `seplos simulate --link`
/// runs it, for end-to-end tests of the command line over System.IO.Ports. The simulator runs in
/// the test process (its packs can be inspected) or is `seplos simulate --link` itself, run as a
/// process of its own (the packs are then seen only through the port).
/// </summary>
public sealed class SimulatedLink : IAsyncDisposable
{
    private readonly PtySimulatorHost? _host;
    private readonly CancellationTokenSource? _stop;
    private readonly Task? _serving;
    private readonly ProgramProcess? _process;

    private SimulatedLink(string directory, PtySimulatorHost? host, CancellationTokenSource? stop, Task? serving, ProgramProcess? process)
    {
        Directory = directory;
        _host = host;
        _stop = stop;
        _serving = serving;
        _process = process;
    }

    public string Directory { get; }
    public PtySimulatorHost Host => _host ?? throw new InvalidOperationException("the simulator runs in a process of its own: read the pack through the port");
    public string Path => LinkPath(Directory);
    public BmsSimulator Simulator => Host.Simulator!;
    public string JournalPath => System.IO.Path.Combine(Directory, "journal.jsonl");

    public static async Task<SimulatedLink> StartAsync(SimulatorOptions? options = null)
    {
        var directory = await CreateDirectoryAsync();
        var host = new PtySimulatorHost();
        var stop = new CancellationTokenSource();
        var serving = host.RunAsync(LinkPath(directory), options ?? new SimulatorOptions(), stop.Token);
        await host.Ready.WaitAsync(TimeSpan.FromSeconds(10));
        return new SimulatedLink(directory, host, stop, serving, null);
    }

    /// <summary>One simulated pack (address 0) served by <c><paramref name="program"/> simulate --link</c>.</summary>
    public static async Task<SimulatedLink> StartAsync(SeplosProgram program)
    {
        var directory = await CreateDirectoryAsync();
        var path = LinkPath(directory);
        var process = CliRunner.StartProcess(program, ["simulate", "--link", path], directory);
        var waited = Stopwatch.StartNew();
        // The simulator makes the link once its pty is open, so a client can open it from then on.
        while (!File.Exists(path))
        {
            if (process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                var result = await process.StopAsync(TimeSpan.FromSeconds(5));
                await process.DisposeAsync();
                throw new InvalidOperationException($"{program} simulate made no link at {path} (exit code {result.ExitCode}): {result.Error}");
            }
            // Another process creates it: there is no event to await.
            await Task.Delay(50);
        }
        return new SimulatedLink(directory, null, null, null, process);
    }

    /// <summary>Runs the command line in process, in the link's folder against the link.</summary>
    public Task<CliRunner.Result> RunAsync(string input, bool interactive, params string[] args)
        => CliRunner.RunAsync(["--port", Path, .. args], input, interactive, Directory);

    public Task<CliRunner.Result> RunAsync(params string[] args) => RunAsync("", false, args);

    /// <summary>Runs <paramref name="program"/> as a process of its own, in the link's folder against the link.</summary>
    public Task<CliRunner.Result> RunAsync(SeplosProgram program, params string[] args)
        => CliRunner.RunProcessAsync(program, ["--port", Path, .. args], Directory);

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(10));
            await _process.DisposeAsync();
            return;
        }
        await _stop!.CancelAsync();
        await _serving!.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private static string LinkPath(string directory) => System.IO.Path.Combine(directory, "ttySIM");

    private static async Task<string> CreateDirectoryAsync()
    {
        var directory = TempDirectory.Create();
        // A seplos.ini in the test's folder keeps the journal out of the user's state directory.
        await File.WriteAllTextAsync(System.IO.Path.Combine(directory, "seplos.ini"),
            $"[seplos]\njournal = {System.IO.Path.Combine(directory, "journal.jsonl")}\ntimeout_ms = 400\n");
        return directory;
    }
}
