using SeplosConsole.Simulation;

namespace SeplosConsole.Tests.Support;

/// <summary>
/// The product's simulator on a real pseudo-terminal behind a symlink, as `seplos simulate --link`
/// runs it, for end-to-end tests of the command line over System.IO.Ports.
/// </summary>
public sealed class SimulatedLink : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task _serving;

    private SimulatedLink(string directory, PtySimulatorHost host, CancellationTokenSource stop, Task serving)
    {
        Directory = directory;
        Host = host;
        _stop = stop;
        _serving = serving;
    }

    public string Directory { get; }
    public PtySimulatorHost Host { get; }
    public string Path => System.IO.Path.Combine(Directory, "ttySIM");
    public BmsSimulator Simulator => Host.Simulator!;
    public string JournalPath => System.IO.Path.Combine(Directory, "journal.jsonl");

    public static async Task<SimulatedLink> StartAsync(SimulatorOptions? options = null)
    {
        var directory = TempDirectory.Create();
        // A seplos.ini in the test's folder keeps the journal out of the user's state directory.
        await File.WriteAllTextAsync(System.IO.Path.Combine(directory, "seplos.ini"),
            $"[seplos]\njournal = {System.IO.Path.Combine(directory, "journal.jsonl")}\ntimeout_ms = 400\n");
        var host = new PtySimulatorHost();
        var stop = new CancellationTokenSource();
        var serving = host.RunAsync(System.IO.Path.Combine(directory, "ttySIM"), options ?? new SimulatorOptions(), stop.Token);
        await host.Ready.WaitAsync(TimeSpan.FromSeconds(10));
        return new SimulatedLink(directory, host, stop, serving);
    }

    /// <summary>Runs the command line in the link's folder against the link.</summary>
    public Task<CliRunner.Result> RunAsync(string input, bool interactive, params string[] args)
        => CliRunner.RunAsync(["--port", Path, .. args], input, interactive, Directory);

    public Task<CliRunner.Result> RunAsync(params string[] args) => RunAsync("", false, args);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _serving.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
